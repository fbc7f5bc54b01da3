package org.m3vit.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class PaddedQueuesTest {

    /** Queues 2, 0, 3: sorted positions 0-1 are expert 0's, 2-4 expert 2's; C = 3, so 9 rows. */
    @Test
    void layoutByHand() {
        PaddedQueues p = PaddedQueues.plan(new long[] {2, 0, 3}, 100, 9);
        assertEquals(3, p.capacity());
        // expert 0: positions 0, 1, then a pad on its first (0); expert 1 (empty): pads on the nearest real
        // one (2); expert 2: positions 2, 3, 4
        assertArrayEquals(new long[] {0, 1, 0, 2, 2, 2, 2, 3, 4}, p.sortedPositionOfRow());
        assertArrayEquals(new long[] {0, 1, 6, 7, 8}, p.rowOfSortedPosition());
    }

    @Test
    void anEmptyLastQueuePadsOnTheLastRealAssignment() {
        PaddedQueues p = PaddedQueues.plan(new long[] {1, 1, 0}, 100, 100);
        assertArrayEquals(new long[] {0, 1, 1}, p.sortedPositionOfRow());
        assertArrayEquals(new long[] {0, 1}, p.rowOfSortedPosition());
    }

    @Test
    void tooManyRowsOrADroppedAssignmentFallsBackToOneByOne() {
        // 3 experts × longest 3 = 9 rows
        assertNull(PaddedQueues.plan(new long[] {2, 0, 3}, 100, 8));
        // a queue of 3 with room for 2 would drop one
        assertNull(PaddedQueues.plan(new long[] {2, 0, 3}, 2, 10));
        assertNull(PaddedQueues.plan(new long[] {0, 0}, 100, 10));
    }

    /** The limit is on E × the longest queue: 16 × 1,024 rows batch, 16 × 1,025 do not. */
    @Test
    void theReorderedPathFollowsTheRowLimit() {
        long[] even = new long[16];
        java.util.Arrays.fill(even, 1024);
        assertEquals("batched", Dispatchers.reorderedPath(even));
        even[3] = 1025;
        assertEquals("one_by_one", Dispatchers.reorderedPath(even));
        // M³ViT-S on 8 images: 8,200 tokens × top-4 over 16 experts
        long[] m3vitS = new long[16];
        java.util.Arrays.fill(m3vitS, 2050);
        assertEquals("one_by_one", Dispatchers.reorderedPath(m3vitS));
    }
}
