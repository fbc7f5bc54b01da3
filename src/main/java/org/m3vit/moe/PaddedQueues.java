package org.m3vit.moe;

/**
 * The expert queues laid out as one (E, C, ·) block, C the longest queue, so that every expert runs in
 * one batched GEMM pair instead of a GEMM pair each, and their outputs need no concatenation. Rows past
 * the end of a short queue repeat a real assignment's token (any would do): they are computed and never
 * read, so they cost FLOPs and nothing else, not even gradient (theirs is exactly zero).
 *
 * <p>Both index maps are built on the host from the queue lengths the dispatcher has already read.
 *
 * @param capacity C, the rows each expert gets
 * @param sortedPositionOfRow for each of the E·C rows, the sorted assignment it holds
 * @param rowOfSortedPosition for each sorted assignment, its row in the block
 */
record PaddedQueues(long capacity, long[] sortedPositionOfRow, long[] rowOfSortedPosition) {

    /**
     * The layout for {@code lengths}, or null when it would hold more than {@code maxRows} rows, or a queue
     * is longer than {@code keepAtMost} (assignments would be dropped; the per-expert path handles that).
     */
    static PaddedQueues plan(long[] lengths, long keepAtMost, long maxRows) {
        long total = 0;
        long longest = 0;
        for (long n : lengths) {
            total += n;
            longest = Math.max(longest, n);
        }
        long rows = longest * lengths.length;
        if (total == 0 || longest > keepAtMost || rows > maxRows || rows > Integer.MAX_VALUE) {
            return null;
        }
        long[] positionOfRow = new long[(int) rows];
        long[] rowOfPosition = new long[(int) total];
        long start = 0;
        for (int e = 0; e < lengths.length; e++) {
            long first = e * longest;
            for (long r = 0; r < longest; r++) {
                // padding repeats the queue's first assignment (an empty queue: the nearest real one)
                positionOfRow[(int) (first + r)] = r < lengths[e] ? start + r : Math.min(start, total - 1);
            }
            for (long r = 0; r < lengths[e]; r++) {
                rowOfPosition[(int) (start + r)] = first + r;
            }
            start += lengths[e];
        }
        return new PaddedQueues(longest, positionOfRow, rowOfPosition);
    }
}
