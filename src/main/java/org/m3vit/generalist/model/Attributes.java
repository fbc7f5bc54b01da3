package org.m3vit.generalist.model;

/**
 * Uni-Perceiver-MoE's 8-dimensional attribute vectors, exactly as the reference code assigns them
 * (uniperceiver/datasets/moe_embeddings.py; reference spec §2.1): one row per modality segment of a
 * sequence. Dimension meanings inferred from the code: 0 task involves vision, 1 text on the input side
 * (MLM, text classification, captioning, vocabulary targets), 2 unused, 3 always 1, 4 token is visual, 5
 * token is text, 6 the sequence is a target, 7 caption words and queries.
 */
public final class Attributes {

    private Attributes() {}

    /** Width of an attribute vector. */
    public static final int WIDTH = 8;

    /** Image (and video) classification input; also image retrieval's image side. */
    public static final float[] VISUAL_INPUT = {1, 0, 0, 1, 1, 0, 0, 0};

    /** MLM and text classification input. */
    public static final float[] TEXT_INPUT = {0, 1, 0, 1, 0, 1, 0, 0};

    /** Captioning input, segment 0: {@code <spe>} and the image tokens. */
    public static final float[] CAPTION_IMAGE = {1, 1, 0, 1, 1, 0, 0, 0};

    /** Captioning input, segment 1: the teacher-forced words and the query tokens. */
    public static final float[] CAPTION_TEXT = {1, 1, 0, 1, 0, 1, 0, 1};

    /** Image retrieval's caption side, and the class-name target sets of image and video classification. */
    public static final float[] VISUAL_TASK_TEXT_TARGET = {1, 0, 0, 1, 0, 1, 1, 0};

    /** The word-vocabulary target set (MLM, captioning) and the text-classification targets. */
    public static final float[] TEXT_TASK_TARGET = {1, 1, 0, 1, 0, 1, 1, 0};

    /** A readable key of a row ("10011000"), for caches and maps. */
    public static String key(float[] row) {
        StringBuilder b = new StringBuilder();
        for (float v : row) {
            b.append(v == 0 ? '0' : '1');
        }
        return b.toString();
    }
}
