package org.m3vit.generalist.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.nn.Scalars;
import org.m3vit.task.MainMetric;

/**
 * Image–text retrieval in both directions: image {@code [SPE]} features against caption {@code [SPE]}
 * features, the symmetric in-batch cross-entropy (i2t and t2i; loss weight 0.5 as the reference's). Our
 * captions come from a small grammar, so two images can have the same caption: every caption equal to an
 * image's own counts as its match, in the loss (soft targets) and in the metrics. Metrics: R@1, R@5, R@10
 * image→text and text→image over the evaluated split.
 */
public final class Retrieval implements GeneralistTask {

    static final int CHUNK = 64;

    record Batch(GeneralistTask task, int[] items, MultimodalCorpus.Split split, String[] captions)
            implements TaskBatch {
        @Override
        public int size() {
            return items.length;
        }
    }

    @Override
    public String id() {
        return "retrieval";
    }

    @Override
    public MainMetric mainMetric() {
        return MainMetric.fraction("i2t_r1");
    }

    @Override
    public float defaultLossWeight() {
        return 0.5f;
    }

    @Override
    public int size(MultimodalCorpus corpus, MultimodalCorpus.Split split) {
        return corpus.images(split).size();
    }

    @Override
    public TaskBatch batch(
            MultimodalCorpus corpus,
            SubwordTokenizer tokenizer,
            MultimodalCorpus.Split split,
            int[] items,
            SplittableRandom rng) {
        List<MultimodalCorpus.Image> images = corpus.images(split);
        String[] captions = new String[items.length];
        for (int i = 0; i < items.length; i++) {
            captions[i] = images.get(items[i]).caption();
        }
        return new Batch(this, items, split, captions);
    }

    private NDArray[] features(TaskContext ctx, MultimodalCorpus.Split split, int[] items, boolean training) {
        List<MultimodalCorpus.Image> images = ctx.corpus().images(split);
        GeneralistModel.Encoded in = ctx.encoder()
                .visual(
                        ImageClassification.images(ctx.manager(), ctx.corpus(), split, items),
                        GeneralistModel.INPUT,
                        Attributes.VISUAL_INPUT,
                        index(),
                        training);
        List<int[]> captions = new ArrayList<>();
        for (int i : items) {
            captions.add(images.get(i).tokens());
        }
        GeneralistModel.Encoded out = ctx.encoder()
                .text(
                        ctx.manager(),
                        captions,
                        GeneralistModel.TARGET,
                        Attributes.VISUAL_TASK_TEXT_TARGET,
                        index(),
                        training);
        return new NDArray[] {
            ctx.encoder().pooled(in, training),
            ctx.encoder().pooled(out, training),
            in.auxLoss().add(out.auxLoss())
        };
    }

    @Override
    public TaskLoss loss(TaskContext ctx, TaskBatch batch, boolean training) {
        Batch b = (Batch) batch;
        NDArray[] f = features(ctx, b.split(), b.items(), training);
        NDArray logits = ctx.encoder().model().logits(ctx.encoder().parameters(), f[0], f[1], index(), training);
        int n = b.size();
        float[] targets = new float[n * n];
        for (int i = 0; i < n; i++) {
            int same = 0;
            for (int j = 0; j < n; j++) {
                same += b.captions()[i].equals(b.captions()[j]) ? 1 : 0;
            }
            for (int j = 0; j < n; j++) {
                targets[i * n + j] = b.captions()[i].equals(b.captions()[j]) ? 1f / same : 0f;
            }
        }
        // the relation "same caption" is symmetric, so the t2i targets are the same matrix
        NDArray t = ctx.manager().create(targets, new Shape(n, n)).toDevice(logits.getDevice(), false);
        NDArray i2t = Similarity.softCrossEntropy(logits, t);
        NDArray loss =
                i2t.add(Similarity.softCrossEntropy(logits.transpose(), t)).mul(Scalars.of(i2t, 0.5));
        return new TaskLoss(loss, f[2]);
    }

    @Override
    public Map<String, Double> evaluate(TaskContext ctx, MultimodalCorpus.Split split, int limit) {
        List<MultimodalCorpus.Image> images = ctx.corpus().images(split);
        int[] items = GeneralistTask.firstItems(images.size(), limit);
        int n = items.length;
        float[] sims;
        try (NDScope scope = new NDScope()) {
            NDList imageFeatures = new NDList();
            NDList textFeatures = new NDList();
            for (int start = 0; start < n; start += CHUNK) {
                int[] chunk = Arrays.copyOfRange(items, start, Math.min(n, start + CHUNK));
                NDArray[] f = features(ctx, split, chunk, false);
                imageFeatures.add(f[0]);
                textFeatures.add(f[1]);
            }
            NDArray a = NDArrays.concat(imageFeatures, 0);
            NDArray b = NDArrays.concat(textFeatures, 0);
            sims = a.matMul(b.transpose()).toFloatArray();
        }
        String[] captions = new String[n];
        for (int i = 0; i < n; i++) {
            captions[i] = images.get(items[i]).caption();
        }
        double[] i2t = recall(sims, n, captions, false);
        double[] t2i = recall(sims, n, captions, true);
        return Similarity.metrics(
                "i2t_r1", i2t[0], "i2t_r5", i2t[1], "i2t_r10", i2t[2], "t2i_r1", t2i[0], "t2i_r5", t2i[1], "t2i_r10",
                t2i[2]);
    }

    /** R@1, R@5, R@10: how often an item with the query's caption is among the k best. */
    static double[] recall(float[] sims, int n, String[] captions, boolean textToImage) {
        int[] ks = {1, 5, 10};
        double[] hits = new double[3];
        for (int q = 0; q < n; q++) {
            float[] row = new float[n];
            for (int j = 0; j < n; j++) {
                row[j] = textToImage ? sims[j * n + q] : sims[q * n + j];
            }
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (x, y) -> Float.compare(row[y], row[x]));
            for (int k = 0; k < 3; k++) {
                for (int r = 0; r < Math.min(ks[k], n); r++) {
                    if (captions[order[r]].equals(captions[q])) {
                        hits[k]++;
                        break;
                    }
                }
            }
        }
        for (int k = 0; k < 3; k++) {
            hits[k] /= Math.max(1, n);
        }
        return hits;
    }

    @Override
    public Map<String, Double> chance(MultimodalCorpus corpus, MultimodalCorpus.Split split, int limit) {
        List<MultimodalCorpus.Image> images = corpus.images(split);
        int n = Math.min(images.size(), limit);
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            captions.add(images.get(i).caption());
        }
        Map<String, Integer> counts = Similarity.counts(captions);
        double[] r = new double[3];
        int[] ks = {1, 5, 10};
        for (String c : captions) {
            int h = counts.get(c);
            for (int k = 0; k < 3; k++) {
                r[k] += 1 - missAll(n, h, Math.min(ks[k], n));
            }
        }
        for (int k = 0; k < 3; k++) {
            r[k] /= Math.max(1, n);
        }
        // a random ranking: the chance is the same in both directions
        return Similarity.metrics(
                "i2t_r1", r[0], "i2t_r5", r[1], "i2t_r10", r[2], "t2i_r1", r[0], "t2i_r5", r[1], "t2i_r10", r[2]);
    }

    /** P(none of h matches among k draws without replacement from n) = C(n−h, k) / C(n, k). */
    static double missAll(int n, int h, int k) {
        double p = 1;
        for (int i = 0; i < k; i++) {
            p *= (double) (n - h - i) / (n - i);
            if (p <= 0) {
                return 0;
            }
        }
        return p;
    }
}
