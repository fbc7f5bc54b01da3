package org.m3vit.accel;

import org.m3vit.model.FlopCounter;

/**
 * One operation as the accelerator sees it: the parameters it must have on chip, its multiply-adds, the
 * activation values it reads and writes, and how many activation values must be on chip at once while it
 * runs (its working set, which decides whether its activations fit on chip or stream through off-chip
 * memory).
 *
 * @param readsImage the input is the image, streamed from off-chip memory as 8-bit pixels
 * @param writesPrediction the output is the prediction, streamed to off-chip memory
 */
public record Step(
        String name,
        long params,
        long macs,
        long valuesIn,
        long valuesOut,
        long footprintValues,
        boolean readsImage,
        boolean writesPrediction) {

    /** An op of the shape walk that keeps {@code heldValues} other activations on chip while it runs. */
    static Step of(FlopCounter.Op op, long heldValues) {
        return new Step(
                op.name(),
                op.params(),
                op.macs(),
                op.valuesIn(),
                op.valuesOut(),
                heldValues + op.valuesIn() + op.valuesOut(),
                false,
                false);
    }

    /**
     * This per-token step run on {@code tokens} tokens: work and traffic scale, the parameters do not, and
     * the working set stays the one the buffer was sized for.
     */
    Step times(long tokens) {
        return new Step(
                name,
                params,
                macs * tokens,
                valuesIn * tokens,
                valuesOut * tokens,
                footprintValues,
                readsImage,
                writesPrediction);
    }
}
