package org.m3vit.runtime;

import org.m3vit.errors.InvalidInputException;

/**
 * How many expert buffers a streamed predictor gets, from an explicit count, a memory budget, or both.
 * The budget covers the predictor's weights: the resident part (shared weights plus the largest task's
 * routers and head, since any task may be running) and the expert buffers. Activations are per call and
 * not part of it.
 *
 * @param buffers N, the number of experts held at most
 * @param residentBytes the resident weights the budget was checked against
 * @param bufferBytes bytes of one buffer (the largest expert)
 * @param budgetBytes the budget, or -1 if none was set
 */
public record BufferPlan(int buffers, long residentBytes, long bufferBytes, long budgetBytes) {

    /** The default when neither a count nor a budget is given: double buffering. */
    public static final int DEFAULT_BUFFERS = 2;

    /**
     * @param buffers the requested count, or null
     * @param budget the budget in bytes, or null
     * @param totalExperts every (layer, expert) pair: more buffers than that are never used
     */
    public static BufferPlan of(Integer buffers, Long budget, long residentBytes, long bufferBytes, long totalExperts) {
        long cap = Math.max(DEFAULT_BUFFERS, totalExperts);
        if (buffers != null && buffers < 2) {
            throw InvalidInputException.field(
                    "expert buffers", "must be >= 2 (one expert computes while the next one loads), got " + buffers);
        }
        if (budget == null) {
            int n = buffers == null ? DEFAULT_BUFFERS : (int) Math.min(buffers, cap);
            return new BufferPlan(n, residentBytes, bufferBytes, -1);
        }
        long needed = residentBytes + 2 * bufferBytes;
        if (budget < needed) {
            throw InvalidInputException.field(
                    "memory budget",
                    ByteSize.format(budget) + " (" + budget + " bytes) is too small: the resident weights (shared"
                            + " weights and the largest task's routers and head) need "
                            + ByteSize.format(residentBytes) + " (" + residentBytes + " bytes) and two expert"
                            + " buffers need " + ByteSize.format(2 * bufferBytes) + " (" + 2 * bufferBytes
                            + " bytes), " + ByteSize.format(needed) + " (" + needed + " bytes) in all");
        }
        long fit = bufferBytes == 0 ? cap : (budget - residentBytes) / bufferBytes;
        if (buffers != null) {
            long want = residentBytes + (long) buffers * bufferBytes;
            if (want > budget) {
                throw InvalidInputException.field(
                        "expert buffers",
                        buffers + " buffers of " + ByteSize.format(bufferBytes) + " and "
                                + ByteSize.format(residentBytes) + " of resident weights need "
                                + ByteSize.format(want) + ", more than the memory budget of "
                                + ByteSize.format(budget) + "; at most " + fit + " buffers fit");
            }
            return new BufferPlan((int) Math.min(buffers, cap), residentBytes, bufferBytes, budget);
        }
        return new BufferPlan((int) Math.min(fit, cap), residentBytes, bufferBytes, budget);
    }

    /** Bytes the buffers take when all are full. */
    public long bytes() {
        return buffers * bufferBytes;
    }
}
