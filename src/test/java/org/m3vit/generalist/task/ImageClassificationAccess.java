package org.m3vit.generalist.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.m3vit.generalist.corpus.MultimodalCorpus;

/** Test access to the tasks' batch builders. */
public final class ImageClassificationAccess {

    private ImageClassificationAccess() {}

    public static NDArray images(NDManager m, MultimodalCorpus c, MultimodalCorpus.Split split, int[] items) {
        return ImageClassification.images(m, c, split, items);
    }

    public static NDArray clips(NDManager m, MultimodalCorpus c, MultimodalCorpus.Split split, int[] items) {
        return VideoClassification.clips(m, c, split, items);
    }
}
