package org.m3vit.generalist.train;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskBatch;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.train.BatchSource;

/**
 * The generalist's batches, as Uni-Perceiver samples them: every batch is one task, drawn with the
 * configured sampling weights, of {@code batch_size} distinct items of that task's train split. Step s of
 * epoch e depends only on (seed, e, s), so a resumed run draws exactly the batches it would have.
 */
public final class TaskSampler implements BatchSource<TaskBatch> {

    private final MultimodalCorpus corpus;
    private final SubwordTokenizer tokenizer;
    private final List<GeneralistTask> tasks;
    private final double[] cumulative;
    private final int batchSize;
    private final int steps;
    private final long seed;
    private final int[][] pools;

    public TaskSampler(GeneralistConfig config, MultimodalCorpus corpus, SubwordTokenizer tokenizer) {
        this.corpus = corpus;
        this.tokenizer = tokenizer;
        this.tasks = config.taskIds().stream().map(GeneralistTask::get).toList();
        this.batchSize = config.train().batchSize();
        this.steps = config.train().stepsPerEpoch();
        this.seed = config.train().seed();
        cumulative = new double[tasks.size()];
        pools = new int[tasks.size()][];
        double sum = 0;
        for (int i = 0; i < tasks.size(); i++) {
            GeneralistTask t = tasks.get(i);
            pools[i] = eligible(config, corpus, t);
            int n = pools[i].length;
            if (n == 0) {
                throw InvalidInputException.file(
                        corpus.root(),
                        "has no train items for task " + t.id()
                                + " (listed in train.tasks); add them or drop the task");
            }
            sum += config.train().tasks().get(t.id()).sampleWeight();
            cumulative[i] = sum;
        }
        for (int i = 0; i < cumulative.length; i++) {
            cumulative[i] /= sum;
        }
    }

    @Override
    public long stepsPerEpoch() {
        return steps;
    }

    /** The task and items of step {@code step} of epoch {@code epoch}. */
    public TaskBatch batch(int epoch, int step) {
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch, step));
        double u = rng.nextDouble();
        int t = 0;
        while (t < cumulative.length - 1 && u >= cumulative[t]) {
            t++;
        }
        GeneralistTask task = tasks.get(t);
        int[] pool = pools[t].clone();
        int n = pool.length;
        int b = Math.min(batchSize, n);
        // a partial Fisher–Yates shuffle: b distinct items
        int[] items = new int[b];
        for (int i = 0; i < b; i++) {
            int j = i + rng.nextInt(n - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
            items[i] = pool[i];
        }
        return task.batch(corpus, tokenizer, MultimodalCorpus.Split.TRAIN, items, rng);
    }

    @Override
    public Epoch<TaskBatch> epoch(int epoch, int firstStep) {
        if (firstStep < 0 || firstStep > steps) {
            throw new IllegalArgumentException("first step " + firstStep + " out of range [0, " + steps + "]");
        }
        return new Epoch<>() {
            @Override
            public Iterator<TaskBatch> iterator() {
                return new Iterator<>() {
                    private int step = firstStep;

                    @Override
                    public boolean hasNext() {
                        return step < steps;
                    }

                    @Override
                    public TaskBatch next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        return batch(epoch, step++);
                    }
                };
            }

            @Override
            public void close() {}
        };
    }

    /**
     * The train items task {@code t} may draw: all but those of its held-out classes
     * ({@code train.hold_out}), then a seeded {@code train.data_fraction} of them (at least one).
     */
    public static int[] eligible(GeneralistConfig config, MultimodalCorpus corpus, GeneralistTask t) {
        int n = t.size(corpus, MultimodalCorpus.Split.TRAIN);
        List<String> held = config.train().holdOut().getOrDefault(t.id(), List.of());
        boolean[] skip = new boolean[n];
        if (!held.isEmpty()) {
            String key = "train.hold_out." + t.id();
            List<String> classes = t.classes(corpus);
            if (classes.isEmpty()) {
                throw InvalidInputException.key(
                        key, t.id() + " is not a classification task; only classes can be held out");
            }
            boolean[] out = new boolean[classes.size()];
            for (String name : held) {
                int c = classes.indexOf(name);
                if (c < 0) {
                    throw InvalidInputException.key(
                            key,
                            "'" + name + "' is not a class of the corpus " + corpus.root() + "; its classes are "
                                    + classes);
                }
                out[c] = true;
            }
            if (held.size() >= classes.size()) {
                throw InvalidInputException.key(key, "holds out every class of " + t.id());
            }
            int[] labels = t.labels(corpus, MultimodalCorpus.Split.TRAIN);
            for (int i = 0; i < n; i++) {
                skip[i] = out[labels[i]];
            }
        }
        int[] kept =
                java.util.stream.IntStream.range(0, n).filter(i -> !skip[i]).toArray();
        double f = config.train().dataFraction();
        if (f >= 1 || kept.length == 0) {
            return kept;
        }
        int keep = Math.max(1, (int) Math.ceil(f * kept.length));
        // a seeded choice, the same for every run with this seed and task
        SplittableRandom rng = new SplittableRandom(mix(config.train().seed(), -7, t.index()));
        for (int i = 0; i < keep; i++) {
            int j = i + rng.nextInt(kept.length - i);
            int tmp = kept[i];
            kept[i] = kept[j];
            kept[j] = tmp;
        }
        int[] chosen = java.util.Arrays.copyOf(kept, keep);
        java.util.Arrays.sort(chosen);
        return chosen;
    }

    static long mix(long seed, int epoch, int step) {
        long z = seed * 0x9E3779B97F4A7C15L
                + epoch * 0xC2B2AE3D27D4EB4FL
                + step * 0x165667B19E3779F9L
                + 0x27D4EB2F165667C5L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
