package org.m3vit.generalist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.List;

/**
 * Builds and encodes the generalist's sequences, Uni-Perceiver's way: every sequence starts with
 * {@code [SPE]}, whose output is the sequence's feature for classification and retrieval inputs and for
 * every target. Three layouts:
 *
 * <ul>
 *   <li>visual: {@code [SPE] patches} (images or clips), one segment;
 *   <li>text: {@code [SPE] tokens}, padded to the batch's longest with the pads masked as keys, one segment;
 *   <li>caption: {@code [SPE] patches w_0..w_{n-1} q…} with queries {@code q_i} ({@code [SPE]} at position
 *       i): every token sees {@code [SPE]} and the image, the image sees only itself, {@code w_i} sees
 *       {@code w_≤i}, {@code q_i} sees {@code w_<i} and itself; two segments (image, text), as the
 *       reference's captioning attribute rows.
 * </ul>
 */
public final class SequenceEncoder {

    /** The additive logit of a key a query may not see. */
    static final float HIDDEN = -1e9f;

    private final GeneralistModel model;
    private final ParameterStore ps;
    private final int speId;
    private final int padId;
    private final Reparameterisation merged;
    private final Observer observer;
    private final Prompts prompts;

    /** Sees every encoder call: its segments, task id and encoding (the expert-activation maps use it). */
    @FunctionalInterface
    public interface Observer {
        void encoded(List<Segment> segments, int task, GeneralistModel.Encoded encoded);
    }

    /** @param merged merged experts to use instead of routing (inference only), or null */
    public SequenceEncoder(GeneralistModel model, ParameterStore ps, int speId, int padId, Reparameterisation merged) {
        this(model, ps, speId, padId, merged, null, null);
    }

    private SequenceEncoder(
            GeneralistModel model,
            ParameterStore ps,
            int speId,
            int padId,
            Reparameterisation merged,
            Observer observer,
            Prompts prompts) {
        this.model = model;
        this.ps = ps;
        this.speId = speId;
        this.padId = padId;
        this.merged = merged;
        this.observer = observer;
        this.prompts = prompts;
    }

    /** The same encoder, reporting every call to {@code o}. */
    public SequenceEncoder observed(Observer o) {
        return new SequenceEncoder(model, ps, speId, padId, merged, o, prompts);
    }

    /**
     * The same encoder appending each task's prompt tokens to its input sequences (visual and text; not
     * captioning's, whose queries are read by position).
     */
    public SequenceEncoder withPrompts(Prompts p) {
        return new SequenceEncoder(model, ps, speId, padId, merged, observer, p);
    }

    private int promptTokens(int type) {
        return prompts != null && type == GeneralistModel.INPUT ? prompts.tokens() : 0;
    }

    private GeneralistModel.Encoded observe(List<Segment> segments, int task, GeneralistModel.Encoded e) {
        if (observer != null) {
            observer.encoded(segments, task, e);
        }
        return e;
    }

    public GeneralistModel model() {
        return model;
    }

    public ParameterStore parameters() {
        return ps;
    }

    public int speId() {
        return speId;
    }

    /** The segments of a visual or text sequence of {@code length} positions (one condition). */
    public static List<Segment> single(int length, float[] attributes, int modality) {
        return List.of(new Segment(0, length, attributes, modality));
    }

    /** The two segments of a caption sequence with {@code patches} image tokens and {@code text} text positions. */
    public static List<Segment> caption(int patches, int text) {
        return List.of(
                new Segment(0, 1 + patches, Attributes.CAPTION_IMAGE, Segment.VISUAL),
                new Segment(1 + patches, text, Attributes.CAPTION_TEXT, Segment.TEXT));
    }

    /** {@code [SPE] patches} of images (B, 3, H, W) or clips (B, T, 3, H, W). */
    public GeneralistModel.Encoded visual(NDArray pixels, int type, float[] attributes, int task, boolean training) {
        NDArray patches = model.embedVisual(ps, pixels, type, training);
        long b = patches.getShape().get(0);
        NDArray tokens = GeneralistModel.concat(b, model.spe(ps, speId, type, pixels.getDevice(), training), patches);
        if (promptTokens(type) > 0) {
            tokens = GeneralistModel.concat(b, tokens, prompts.of(ps, task, pixels.getDevice(), training));
        }
        int length = Math.toIntExact(tokens.getShape().get(1));
        List<Segment> segments = single(length, attributes, Segment.VISUAL);
        return observe(segments, task, model.encode(ps, tokens, segments, null, task, training, merged));
    }

    /** {@code [SPE] tokens} of each text, padded to the longest; pads are hidden from every query. */
    public GeneralistModel.Encoded text(
            NDManager m, List<int[]> texts, int type, float[] attributes, int task, boolean training) {
        int b = texts.size();
        int n = 0;
        for (int[] t : texts) {
            n = Math.max(n, t.length);
        }
        int p = promptTokens(type);
        int l = n + 1 + p; // [SPE], the words (padded), the prompts
        long[] ids = new long[b * n];
        float[] keys = new float[b * l];
        boolean padded = false;
        for (int i = 0; i < b; i++) {
            int[] t = texts.get(i);
            for (int j = 0; j < n; j++) {
                ids[i * n + j] = j < t.length ? t[j] : padId;
                if (j >= t.length) {
                    keys[i * l + 1 + j] = HIDDEN;
                    padded = true;
                }
            }
        }
        NDArray tokenIds = m.create(ids, new Shape(b, n));
        NDArray words = model.embedText(ps, tokenIds, m.arange(0, n, 1, DataType.INT64), type, training);
        NDArray tokens = GeneralistModel.concat(b, model.spe(ps, speId, type, words.getDevice(), training), words);
        if (p > 0) {
            tokens = GeneralistModel.concat(b, tokens, prompts.of(ps, task, words.getDevice(), training));
        }
        NDArray mask = padded ? m.create(keys, new Shape(b, 1, 1, l)) : null;
        List<Segment> segments = single(l, attributes, Segment.TEXT);
        GeneralistModel.Encoded e = model.encode(ps, tokens, segments, mask, task, training, merged);
        if (!padded) {
            return observe(segments, task, e);
        }
        float[] valid = new float[b * l];
        for (int i = 0; i < valid.length; i++) {
            valid[i] = keys[i] == 0 ? 1 : 0;
        }
        return observe(segments, task, e.withValid(m.create(valid, new Shape(b, l))));
    }

    /**
     * A caption sequence: images (B, 3, H, W), the words fed so far (each row's own length, padded), and the
     * positions of the query tokens (each q_p predicts the word at position p from the words before it).
     *
     * @return the encoding; the queries' hidden states are its last {@code queries.length} positions
     */
    public GeneralistModel.Encoded caption(
            NDManager m, NDArray images, List<int[]> words, int[] queries, int task, boolean training) {
        int b = words.size();
        int nw = 0;
        for (int[] w : words) {
            nw = Math.max(nw, w.length);
        }
        int nq = queries.length;
        int patches = model.config().patches();
        int l = 1 + patches + nw + nq;
        long[] wordIds = new long[b * nw];
        float[] mask = new float[b * l * l];
        for (int i = 0; i < b; i++) {
            int[] w = words.get(i);
            for (int j = 0; j < nw; j++) {
                wordIds[i * nw + j] = j < w.length ? w[j] : padId;
            }
            for (int r = 0; r < l; r++) {
                for (int c = 0; c < l; c++) {
                    if (!visible(r, c, patches, nw, queries, w.length)) {
                        mask[(i * l + r) * l + c] = HIDDEN;
                    }
                }
            }
        }
        NDArray visual = model.embedVisual(ps, images, GeneralistModel.INPUT, training);
        NDArray spe = model.spe(ps, speId, GeneralistModel.INPUT, images.getDevice(), training);
        long[] queryIds = new long[b * nq];
        Arrays.fill(queryIds, speId);
        long[] queryPositions = new long[nq];
        for (int q = 0; q < nq; q++) {
            queryPositions[q] = queries[q];
        }
        NDArray q = model.embedText(
                ps, m.create(queryIds, new Shape(b, nq)), m.create(queryPositions), GeneralistModel.INPUT, training);
        NDArray tokens;
        if (nw > 0) {
            NDArray w = model.embedText(
                    ps,
                    m.create(wordIds, new Shape(b, nw)),
                    m.arange(0, nw, 1, DataType.INT64),
                    GeneralistModel.INPUT,
                    training);
            tokens = GeneralistModel.concat(b, spe, visual, w, q);
        } else {
            tokens = GeneralistModel.concat(b, spe, visual, q);
        }
        List<Segment> segments = caption(patches, nw + nq);
        return observe(
                segments,
                task,
                model.encode(ps, tokens, segments, m.create(mask, new Shape(b, 1, l, l)), task, training, merged));
    }

    /** Whether position r may attend to position c in a caption sequence. */
    static boolean visible(int r, int c, int patches, int nw, int[] queries, int length) {
        int image = 1 + patches;
        if (c < image) {
            return true; // everything sees [SPE] and the image
        }
        if (r < image) {
            return false; // the image sees only itself
        }
        boolean cWord = c < image + nw;
        if (cWord && c - image >= length) {
            return false; // padding
        }
        boolean rWord = r < image + nw;
        if (rWord) {
            return cWord && c <= r;
        }
        int qPos = queries[r - image - nw];
        return cWord ? c - image < qPos : c == r;
    }

    /**
     * The sequence feature (B, D) of an encoding: the {@code [SPE]} output (Uni-Perceiver, {@code model.pool:
     * spe}), or the mean over the real positions, {@code [SPE]} included ({@code model.pool: mean}).
     */
    public NDArray pooled(GeneralistModel.Encoded e, boolean training) {
        NDArray h = e.hidden();
        if (!model.config().meanPool()) {
            return model.feature(ps, h.get(":, 0, :"), training);
        }
        if (e.valid() == null) {
            return model.feature(ps, h.mean(new int[] {1}), training);
        }
        NDArray w = e.valid().toType(h.getDataType(), false);
        NDArray sum = h.mul(w.expandDims(2)).sum(new int[] {1});
        return model.feature(ps, sum.div(w.sum(new int[] {1}, true)), training);
    }
}
