package org.m3vit.generalist.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.task.MainMetric;

/**
 * Masked language modelling on the corpus's texts (the reference's Books&Wiki task, loss weight 0.5): 15 %
 * of the tokens (at least one per text) are selected; 80 % of those become {@code [SPE]}, 10 % a random
 * vocabulary token, 10 % stay. The hidden state at each selected position is compared with the vocabulary
 * targets' features. Metric: accuracy on the selected tokens, with masks drawn from a fixed seed per text.
 */
public final class MaskedLanguageModelling implements GeneralistTask {

    static final int CHUNK = 64;
    static final double SELECT = 0.15;
    static final long EVAL_SEED = 0x5EEDL;

    /**
     * @param inputs the texts as fed (masked)
     * @param positions per text, the selected token positions
     * @param labels per text, the original tokens at those positions
     */
    record Batch(GeneralistTask task, int[] items, List<int[]> inputs, List<int[]> positions, List<int[]> labels)
            implements TaskBatch {
        @Override
        public int size() {
            return items.length;
        }
    }

    @Override
    public String id() {
        return "mlm";
    }

    @Override
    public MainMetric mainMetric() {
        return MainMetric.fraction("accuracy");
    }

    @Override
    public float defaultLossWeight() {
        return 0.5f;
    }

    @Override
    public int size(MultimodalCorpus corpus, MultimodalCorpus.Split split) {
        return corpus.texts(split).size();
    }

    @Override
    public TaskBatch batch(
            MultimodalCorpus corpus,
            SubwordTokenizer tokenizer,
            MultimodalCorpus.Split split,
            int[] items,
            SplittableRandom rng) {
        List<MultimodalCorpus.Text> texts = corpus.texts(split);
        List<int[]> inputs = new ArrayList<>();
        List<int[]> positions = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        int words = tokenizer.vocabSize();
        for (int item : items) {
            int[] t = texts.get(item).tokens();
            int[] in = t.clone();
            List<Integer> chosen = new ArrayList<>();
            for (int p = 0; p < t.length; p++) {
                if (rng.nextDouble() < SELECT) {
                    chosen.add(p);
                }
            }
            if (chosen.isEmpty()) {
                chosen.add(rng.nextInt(t.length));
            }
            int[] pos = ClassificationTask.toArray(chosen);
            int[] lab = new int[pos.length];
            for (int k = 0; k < pos.length; k++) {
                lab[k] = t[pos[k]];
                double u = rng.nextDouble();
                if (u < 0.8) {
                    in[pos[k]] = tokenizer.speId();
                } else if (u < 0.9) {
                    // a random non-special token
                    in[pos[k]] = 4 + rng.nextInt(Math.max(1, words - 4));
                }
            }
            inputs.add(in);
            positions.add(pos);
            labels.add(lab);
        }
        return new Batch(this, items, inputs, positions, labels);
    }

    /** The selected positions' logits against the vocabulary, and the labels as vocabulary indices. */
    private Object[] logits(TaskContext ctx, Batch b, NDArray vocab, boolean training) {
        NDManager m = ctx.manager();
        GeneralistModel.Encoded e =
                ctx.encoder().text(m, b.inputs(), GeneralistModel.INPUT, Attributes.TEXT_INPUT, index(), training);
        long length = e.hidden().getShape().get(1);
        long d = e.hidden().getShape().get(2);
        int[] vocabIndex = Captioning.vocabularyIndex(ctx);
        List<Long> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            int[] pos = b.positions().get(i);
            for (int k = 0; k < pos.length; k++) {
                rows.add(i * length + 1 + pos[k]); // +1: after [SPE]
                labels.add(vocabIndex[b.labels().get(i)[k]]);
            }
        }
        NDArray picked = e.hidden()
                .reshape(-1, d)
                .get(m.create(rows.stream().mapToLong(Long::longValue).toArray()));
        NDArray features = ctx.encoder().model().feature(ctx.encoder().parameters(), picked, training);
        NDArray logits = ctx.encoder().model().logits(ctx.encoder().parameters(), features, vocab, index(), training);
        return new Object[] {logits, ClassificationTask.toArray(labels), e.auxLoss()};
    }

    @Override
    public TaskLoss loss(TaskContext ctx, TaskBatch batch, boolean training) {
        NDArray[] vocab = Captioning.vocabulary(ctx, index(), training);
        Object[] r = logits(ctx, (Batch) batch, vocab[0], training);
        return new TaskLoss(Similarity.crossEntropy((NDArray) r[0], (int[]) r[1]), ((NDArray) r[2]).add(vocab[1]));
    }

    /** The evaluation batch of {@code items}: masks drawn from a fixed seed per text, so every model sees the same. */
    private Batch evalBatch(TaskContext ctx, MultimodalCorpus.Split split, int[] items) {
        List<int[]> inputs = new ArrayList<>();
        List<int[]> positions = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        for (int item : items) {
            Batch one = (Batch) batch(
                    ctx.corpus(), ctx.tokenizer(), split, new int[] {item}, new SplittableRandom(EVAL_SEED + item));
            inputs.add(one.inputs().get(0));
            positions.add(one.positions().get(0));
            labels.add(one.labels().get(0));
        }
        return new Batch(this, items, inputs, positions, labels);
    }

    @Override
    public Map<String, Double> evaluate(TaskContext ctx, MultimodalCorpus.Split split, int limit) {
        int[] items = GeneralistTask.firstItems(size(ctx.corpus(), split), limit);
        long correct = 0;
        long total = 0;
        try (NDScope scope = new NDScope()) {
            NDArray vocab = Captioning.vocabulary(ctx, index(), false)[0];
            int v = ctx.vocabulary().length;
            for (int start = 0; start < items.length; start += CHUNK) {
                int[] chunk = Arrays.copyOfRange(items, start, Math.min(items.length, start + CHUNK));
                try (NDManager m = ctx.manager().newSubManager();
                        NDScope inner = new NDScope()) {
                    TaskContext c = ctx.on(m);
                    Object[] r = logits(c, evalBatch(c, split, chunk), vocab, false);
                    float[] logits = ((NDArray) r[0]).toFloatArray();
                    int[] labels = (int[]) r[1];
                    for (int i = 0; i < labels.length; i++) {
                        correct += Similarity.argMax(Similarity.row(logits, v, i)) == labels[i] ? 1 : 0;
                    }
                    total += labels.length;
                }
            }
        }
        return Similarity.metrics("accuracy", (double) correct / Math.max(1, total));
    }

    /** Always answering the token most frequent in the train texts. */
    @Override
    public Map<String, Double> chance(MultimodalCorpus corpus, MultimodalCorpus.Split split, int limit) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (MultimodalCorpus.Text t : corpus.texts(MultimodalCorpus.Split.TRAIN)) {
            for (int id : t.tokens()) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        int common = counts.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse(-1);
        List<MultimodalCorpus.Text> texts = corpus.texts(split);
        int n = Math.min(texts.size(), limit);
        long hits = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            int[] t = texts.get(i).tokens();
            // the same selection as evaluate: replay the per-text seed (masking draws do not change it)
            SplittableRandom rng = new SplittableRandom(EVAL_SEED + i);
            List<Integer> chosen = new ArrayList<>();
            for (int p = 0; p < t.length; p++) {
                if (rng.nextDouble() < SELECT) {
                    chosen.add(p);
                }
            }
            if (chosen.isEmpty()) {
                chosen.add(rng.nextInt(t.length));
            }
            for (int p : chosen) {
                hits += t[p] == common ? 1 : 0;
                total++;
            }
        }
        return Similarity.metrics("accuracy", (double) hits / Math.max(1, total));
    }
}
