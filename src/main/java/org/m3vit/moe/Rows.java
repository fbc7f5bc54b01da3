package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** Row gathering for dispatch. */
final class Rows {

    private Rows() {}

    /**
     * {@code source[index]} along axis 0 for a 2-D source and a 1-D int64 index, through the engine's
     * embedding lookup: the same result and gradient (a scatter-add into the source rows) as advanced
     * indexing, but a dedicated row-copy kernel, measured ~3× faster than {@code get(NDArray)} on 50 MB.
     */
    static NDArray gather(NDArray source, NDArray index) {
        return source.getNDArrayInternal()
                .embedding(index, source, SparseFormat.DENSE)
                .singletonOrThrow();
    }
}
