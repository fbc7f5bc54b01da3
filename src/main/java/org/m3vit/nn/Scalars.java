package org.m3vit.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars for arithmetic that autograd differentiates through.
 *
 * <p>DJL's {@code x.mul(2f)} (likewise {@code div}, {@code maximum}, {@code minimum}, {@code pow} with a
 * Java number) creates the scalar zero-copy over a Java direct buffer, runs the op, and closes the
 * scalar at once. Autograd keeps the native scalar for the backward pass, but once its Java buffer is
 * garbage-collected that memory is gone: the backward then reads freed memory and returns garbage
 * gradients (observed: 1 run in a few hundred for a gate's loss, most runs of a small training job,
 * more often with a small heap). A scalar made by the engine owns its memory, so it is safe to save.
 * {@code add}/{@code sub} with a number are safe: their backward never reads the scalar.
 */
public final class Scalars {

    private Scalars() {}

    /** A 0-dimensional array holding {@code value}, with {@code like}'s dtype and device, owned by the engine. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType(), like.getDevice());
    }
}
