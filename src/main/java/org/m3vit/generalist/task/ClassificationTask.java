package org.m3vit.generalist.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.task.MainMetric;

/**
 * Classification as similarity: the input's {@code [SPE]} feature against the {@code [SPE]} features of
 * every class-name text (the class names are the targets, encoded by the same encoder with the target
 * attribute row), cross-entropy over the classes. Metrics: top-1 and top-5 accuracy.
 */
abstract class ClassificationTask implements GeneralistTask {

    /** Evaluation chunk size (samples per encoder call). */
    static final int CHUNK = 64;

    /** A classification batch: the items' inputs on the host and their labels. */
    record Batch(GeneralistTask task, int[] items, MultimodalCorpus.Split split, int[] labels) implements TaskBatch {
        @Override
        public int size() {
            return items.length;
        }
    }

    @Override
    public MainMetric mainMetric() {
        return MainMetric.fraction("top1");
    }

    /** The labels of every item of {@code split}. */
    @Override
    public abstract int[] labels(MultimodalCorpus corpus, MultimodalCorpus.Split split);

    @Override
    public float[][] classLogits(TaskContext ctx, MultimodalCorpus.Split split, int[] items) {
        int classes = classNames(ctx).size();
        float[][] out = new float[items.length][];
        try (NDScope scope = new NDScope()) {
            NDArray targets = targets(ctx, false)[0];
            for (int start = 0; start < items.length; start += CHUNK) {
                int[] chunk = Arrays.copyOfRange(items, start, Math.min(items.length, start + CHUNK));
                try (NDManager m = ctx.manager().newSubManager();
                        NDScope inner = new NDScope()) {
                    TaskContext c = ctx.on(m);
                    NDArray f = c.encoder().pooled(encodeInputs(c, split, chunk, false), false);
                    float[] logits = c.encoder()
                            .model()
                            .logits(c.encoder().parameters(), f, targets, index(), false)
                            .toFloatArray();
                    for (int i = 0; i < chunk.length; i++) {
                        out[start + i] = Similarity.row(logits, classes, i);
                    }
                }
            }
        }
        return out;
    }

    /** The class names, tokenized. */
    abstract List<int[]> classNames(TaskContext ctx);

    /** The attribute row of the class-name targets. */
    abstract float[] targetAttributes();

    /** Encodes items of {@code split} as inputs. */
    abstract GeneralistModel.Encoded encodeInputs(
            TaskContext ctx, MultimodalCorpus.Split split, int[] items, boolean training);

    @Override
    public int size(MultimodalCorpus corpus, MultimodalCorpus.Split split) {
        return labels(corpus, split).length;
    }

    @Override
    public TaskBatch batch(
            MultimodalCorpus corpus,
            SubwordTokenizer tokenizer,
            MultimodalCorpus.Split split,
            int[] items,
            SplittableRandom rng) {
        int[] all = labels(corpus, split);
        int[] labels = new int[items.length];
        for (int i = 0; i < items.length; i++) {
            labels[i] = all[items[i]];
        }
        return new Batch(this, items, split, labels);
    }

    private NDArray[] targets(TaskContext ctx, boolean training) {
        GeneralistModel.Encoded t = ctx.encoder()
                .text(ctx.manager(), classNames(ctx), GeneralistModel.TARGET, targetAttributes(), index(), training);
        return new NDArray[] {ctx.encoder().pooled(t, training), t.auxLoss()};
    }

    @Override
    public TaskLoss loss(TaskContext ctx, TaskBatch batch, boolean training) {
        Batch b = (Batch) batch;
        GeneralistModel.Encoded in = encodeInputs(ctx, b.split(), b.items(), training);
        NDArray[] classes = targets(ctx, training);
        NDArray logits = ctx.encoder()
                .model()
                .logits(ctx.encoder().parameters(), ctx.encoder().pooled(in, training), classes[0], index(), training);
        return new TaskLoss(
                Similarity.crossEntropy(logits, b.labels()), in.auxLoss().add(classes[1]));
    }

    @Override
    public Map<String, Double> evaluate(TaskContext ctx, MultimodalCorpus.Split split, int limit) {
        int[] labels = labels(ctx.corpus(), split);
        int[] items = GeneralistTask.firstItems(labels.length, limit);
        float[][] rows = classLogits(ctx, split, items);
        double top1 = 0;
        double top5 = 0;
        for (int i = 0; i < items.length; i++) {
            int label = labels[items[i]];
            top1 += Similarity.inTopK(rows[i], label, 1) ? 1 : 0;
            top5 += Similarity.inTopK(rows[i], label, 5) ? 1 : 0;
        }
        int n = Math.max(1, items.length);
        return Similarity.metrics("top1", top1 / n, "top5", top5 / n);
    }

    @Override
    public Map<String, Double> chance(MultimodalCorpus corpus, MultimodalCorpus.Split split, int limit) {
        int[] eval = labels(corpus, split);
        eval = Arrays.copyOf(eval, Math.min(eval.length, limit));
        int classes = classes(corpus).size();
        double[] m = Similarity.majority(labels(corpus, MultimodalCorpus.Split.TRAIN), eval, classes, 5);
        return Similarity.metrics("top1", m[0], "top5", m[1]);
    }

    static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<int[]> tokens(List<MultimodalCorpus.Text> texts, int[] items) {
        List<int[]> out = new ArrayList<>();
        for (int i : items) {
            out.add(texts.get(i).tokens());
        }
        return out;
    }
}
