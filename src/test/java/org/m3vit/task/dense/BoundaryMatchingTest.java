package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoundaryMatchingTest {

    private static boolean[] verticalLine(int h, int w, int x) {
        boolean[] m = new boolean[h * w];
        for (int y = 0; y < h; y++) {
            m[y * w + x] = true;
        }
        return m;
    }

    @Test
    void identicalBoundariesMatchCompletely() {
        boolean[] line = verticalLine(20, 20, 7);
        assertEquals(20, BoundaryMatching.match(line, line, 20, 20, 1.5));
    }

    @Test
    void shiftInsideToleranceMatchesOutsideDoesNot() {
        boolean[] gt = verticalLine(30, 30, 10);
        assertEquals(30, BoundaryMatching.match(verticalLine(30, 30, 12), gt, 30, 30, 2.0));
        assertEquals(0, BoundaryMatching.match(verticalLine(30, 30, 13), gt, 30, 30, 2.0));
    }

    @Test
    void oneToOne() {
        // a doubled predicted line next to one gt line: only one predicted pixel per gt pixel matches
        boolean[] pred = verticalLine(10, 10, 4);
        boolean[] second = verticalLine(10, 10, 5);
        for (int i = 0; i < pred.length; i++) {
            pred[i] |= second[i];
        }
        assertEquals(10, BoundaryMatching.match(pred, verticalLine(10, 10, 4), 10, 10, 1.5));
    }

    @Test
    void maximumMatchingAgreesWithSimpleAugmentingPaths() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int nl = 1 + rnd.nextInt(12);
            int nr = 1 + rnd.nextInt(12);
            int[] start = new int[nl + 1];
            int[] edges = new int[nl * nr];
            int e = 0;
            boolean[][] adj = new boolean[nl][nr];
            for (int u = 0; u < nl; u++) {
                start[u] = e;
                for (int v = 0; v < nr; v++) {
                    if (rnd.nextDouble() < 0.25) {
                        edges[e++] = v;
                        adj[u][v] = true;
                    }
                }
            }
            start[nl] = e;
            assertEquals(
                    kuhn(adj, nl, nr),
                    BoundaryMatching.hopcroftKarp(nl, nr, start, Arrays.copyOf(edges, e)),
                    "trial " + trial);
        }
    }

    /** Textbook augmenting-path matching, written independently as the reference. */
    private static int kuhn(boolean[][] adj, int nl, int nr) {
        int[] matchR = new int[nr];
        Arrays.fill(matchR, -1);
        int result = 0;
        for (int u = 0; u < nl; u++) {
            if (augment(u, adj, matchR, new boolean[nr])) {
                result++;
            }
        }
        return result;
    }

    private static boolean augment(int u, boolean[][] adj, int[] matchR, boolean[] seen) {
        for (int v = 0; v < matchR.length; v++) {
            if (adj[u][v] && !seen[v]) {
                seen[v] = true;
                if (matchR[v] < 0 || augment(matchR[v], adj, matchR, seen)) {
                    matchR[v] = u;
                    return true;
                }
            }
        }
        return false;
    }
}
