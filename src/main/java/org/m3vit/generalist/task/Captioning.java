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
import org.m3vit.generalist.eval.CaptionMetrics;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.task.MainMetric;

/**
 * Captioning as similarity to the vocabulary (Uni-Perceiver): the sequence is {@code [SPE] image w_0..w_n
 * q_0..q_n}; query {@code q_i} sees the image and the words before position i, and its feature is compared
 * with the {@code [SPE]} features of every vocabulary token (the word-vocabulary target set), cross-entropy
 * against word i of the caption followed by {@code [EOS]} (teacher forcing). Decoding is greedy, one query
 * per step. Metrics: BLEU-4 and CIDEr against the exact captions.
 */
public final class Captioning implements GeneralistTask {

    static final int CHUNK = 64;

    record Batch(GeneralistTask task, int[] items, MultimodalCorpus.Split split) implements TaskBatch {
        @Override
        public int size() {
            return items.length;
        }
    }

    @Override
    public String id() {
        return "caption";
    }

    @Override
    public MainMetric mainMetric() {
        return MainMetric.fraction("bleu4");
    }

    @Override
    public float defaultLossWeight() {
        return 1f;
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
        return new Batch(this, items, split);
    }

    /** The caption's tokens followed by {@code [EOS]}. */
    static int[] target(int[] caption, int eos) {
        int[] t = Arrays.copyOf(caption, caption.length + 1);
        t[caption.length] = eos;
        return t;
    }

    /** Vocabulary features (V, D) and their balancing loss. */
    static NDArray[] vocabulary(TaskContext ctx, int task, boolean training) {
        List<int[]> words = new ArrayList<>();
        for (int id : ctx.vocabulary()) {
            words.add(new int[] {id});
        }
        GeneralistModel.Encoded v = ctx.encoder()
                .text(ctx.manager(), words, GeneralistModel.TARGET, Attributes.TEXT_TASK_TARGET, task, training);
        return new NDArray[] {ctx.encoder().pooled(v, training), v.auxLoss()};
    }

    /** Index of each token id in the vocabulary target set (−1 for tokens outside it). */
    static int[] vocabularyIndex(TaskContext ctx) {
        int[] index = new int[ctx.tokenizer().vocabSize()];
        Arrays.fill(index, -1);
        int[] v = ctx.vocabulary();
        for (int i = 0; i < v.length; i++) {
            index[v[i]] = i;
        }
        return index;
    }

    @Override
    public TaskLoss loss(TaskContext ctx, TaskBatch batch, boolean training) {
        Batch b = (Batch) batch;
        int eos = ctx.tokenizer().eosId();
        List<int[]> targets = new ArrayList<>();
        List<MultimodalCorpus.Image> images = ctx.corpus().images(b.split());
        int n = 0;
        for (int i : b.items()) {
            int[] t = target(images.get(i).tokens(), eos);
            targets.add(t);
            n = Math.max(n, t.length);
        }
        int[] queries = new int[n];
        for (int q = 0; q < n; q++) {
            queries[q] = q;
        }
        NDManager m = ctx.manager();
        GeneralistModel.Encoded e = ctx.encoder()
                .caption(
                        m,
                        ImageClassification.images(m, ctx.corpus(), b.split(), b.items()),
                        targets,
                        queries,
                        index(),
                        training);
        int[] vocabIndex = vocabularyIndex(ctx);
        List<Long> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            int[] t = targets.get(i);
            for (int q = 0; q < t.length; q++) {
                rows.add((long) i * n + q);
                labels.add(vocabIndex[t[q]]);
            }
        }
        long length = e.hidden().getShape().get(1);
        long d = e.hidden().getShape().get(2);
        NDArray queryStates = e.hidden().get(":, {}:, :", length - n).reshape(-1, d);
        NDArray picked = queryStates.get(
                m.create(rows.stream().mapToLong(Long::longValue).toArray()));
        NDArray[] vocab = vocabulary(ctx, index(), training);
        NDArray logits = ctx.encoder()
                .model()
                .logits(
                        ctx.encoder().parameters(),
                        ctx.encoder().model().feature(ctx.encoder().parameters(), picked, training),
                        vocab[0],
                        index(),
                        training);
        return new TaskLoss(
                Similarity.crossEntropy(logits, ClassificationTask.toArray(labels)),
                e.auxLoss().add(vocab[1]));
    }

    /** Greedy captions of items {@code items} of {@code split}. */
    public List<String> generate(TaskContext ctx, MultimodalCorpus.Split split, int[] items) {
        int eos = ctx.tokenizer().eosId();
        int maxLength = ctx.encoder().model().config().textLength() + 1;
        int[] vocabulary = ctx.vocabulary();
        List<String> out = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            NDArray vocab = vocabulary(ctx, index(), false)[0];
            for (int start = 0; start < items.length; start += CHUNK) {
                int[] chunk = Arrays.copyOfRange(items, start, Math.min(items.length, start + CHUNK));
                int b = chunk.length;
                int[][] words = new int[b][0];
                boolean[] done = new boolean[b];
                try (NDManager m = ctx.manager().newSubManager()) {
                    NDArray images = ImageClassification.images(m, ctx.corpus(), split, chunk);
                    for (int step = 0; step < maxLength; step++) {
                        int[] next;
                        try (NDScope inner = new NDScope()) {
                            GeneralistModel.Encoded e = ctx.encoder()
                                    .caption(m, images, Arrays.asList(words), new int[] {step}, index(), false);
                            long length = e.hidden().getShape().get(1);
                            NDArray q = e.hidden().get(":, {}, :", length - 1);
                            NDArray f =
                                    ctx.encoder().model().feature(ctx.encoder().parameters(), q, false);
                            float[] logits = ctx.encoder()
                                    .model()
                                    .logits(ctx.encoder().parameters(), f, vocab, index(), false)
                                    .toFloatArray();
                            next = new int[b];
                            for (int i = 0; i < b; i++) {
                                next[i] = vocabulary[Similarity.argMax(Similarity.row(logits, vocabulary.length, i))];
                            }
                        }
                        boolean all = true;
                        for (int i = 0; i < b; i++) {
                            int[] w = Arrays.copyOf(words[i], step + 1);
                            w[step] = done[i] ? eos : next[i];
                            done[i] |= w[step] == eos;
                            words[i] = w;
                            all &= done[i];
                        }
                        if (all) {
                            break;
                        }
                    }
                }
                for (int[] w : words) {
                    int end = 0;
                    while (end < w.length && w[end] != eos) {
                        end++;
                    }
                    out.add(ctx.tokenizer().decode(Arrays.copyOf(w, end)));
                }
            }
        }
        return out;
    }

    @Override
    public Map<String, Double> evaluate(TaskContext ctx, MultimodalCorpus.Split split, int limit) {
        List<MultimodalCorpus.Image> images = ctx.corpus().images(split);
        int[] items = GeneralistTask.firstItems(images.size(), limit);
        List<String> generated = generate(ctx, split, items);
        List<String> references = new ArrayList<>();
        for (int i : items) {
            references.add(normalised(ctx, images.get(i).tokens()));
        }
        return Similarity.metrics(
                "bleu4",
                CaptionMetrics.bleu4(generated, references),
                "cider",
                CaptionMetrics.cider(generated, references));
    }

    /** A caption as the tokenizer spells it back (lower case, words separated by single spaces). */
    static String normalised(TaskContext ctx, int[] tokens) {
        return ctx.tokenizer().decode(tokens);
    }

    @Override
    public Map<String, Double> chance(MultimodalCorpus corpus, MultimodalCorpus.Split split, int limit) {
        List<MultimodalCorpus.Image> images = corpus.images(split);
        int n = Math.min(images.size(), limit);
        List<String> references = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            references.add(images.get(i).caption());
            others.add(images.get((i + 1) % n).caption()); // another image's caption
        }
        return Similarity.metrics(
                "bleu4", CaptionMetrics.bleu4(others, references), "cider", CaptionMetrics.cider(others, references));
    }
}
