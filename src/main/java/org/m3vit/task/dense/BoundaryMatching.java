package org.m3vit.task.dense;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One-to-one matching of predicted boundary pixels to ground-truth boundary pixels that lie within a
 * distance tolerance of each other, as BSDS-style boundary evaluation requires: a ground-truth pixel
 * can explain at most one predicted pixel and vice versa. The matching is a maximum-cardinality
 * bipartite matching (Hopcroft–Karp) on the graph of pairs within the tolerance, so the counts do not
 * depend on scan order. (BSDS's own matcher additionally minimises the total distance among maximum
 * matchings, which changes which pairs match but not how many.)
 */
final class BoundaryMatching {

    private BoundaryMatching() {}

    /**
     * @param pred predicted boundary mask (H·W, row-major)
     * @param gt ground-truth boundary mask (H·W)
     * @param maxDist tolerance in pixels (Euclidean)
     * @return the number of matched pairs
     */
    static int match(boolean[] pred, boolean[] gt, int height, int width, double maxDist) {
        int[] gtIndex = new int[gt.length];
        Arrays.fill(gtIndex, -1);
        int gtCount = 0;
        for (int i = 0; i < gt.length; i++) {
            if (gt[i]) {
                gtIndex[i] = gtCount++;
            }
        }
        int predCount = 0;
        for (boolean p : pred) {
            predCount += p ? 1 : 0;
        }
        if (gtCount == 0 || predCount == 0) {
            return 0;
        }
        // adjacency lists (CSR) from each predicted pixel to ground-truth pixels within maxDist
        int r = (int) Math.floor(maxDist);
        double maxSq = maxDist * maxDist;
        int[] start = new int[predCount + 1];
        int[] edges = new int[16];
        int edgeCount = 0;
        int left = 0;
        for (int i = 0; i < pred.length; i++) {
            if (!pred[i]) {
                continue;
            }
            int y = i / width;
            int x = i % width;
            start[left] = edgeCount;
            for (int dy = -r; dy <= r; dy++) {
                int yy = y + dy;
                if (yy < 0 || yy >= height) {
                    continue;
                }
                for (int dx = -r; dx <= r; dx++) {
                    int xx = x + dx;
                    if (xx < 0 || xx >= width || dx * dx + dy * dy > maxSq) {
                        continue;
                    }
                    int g = gtIndex[yy * width + xx];
                    if (g >= 0) {
                        if (edgeCount == edges.length) {
                            edges = Arrays.copyOf(edges, edges.length * 2);
                        }
                        edges[edgeCount++] = g;
                    }
                }
            }
            left++;
        }
        start[predCount] = edgeCount;
        return hopcroftKarp(predCount, gtCount, start, edges);
    }

    private static final int FREE = -1;

    static int hopcroftKarp(int nLeft, int nRight, int[] start, int[] edges) {
        int[] matchLeft = new int[nLeft];
        int[] matchRight = new int[nRight];
        Arrays.fill(matchLeft, FREE);
        Arrays.fill(matchRight, FREE);
        int[] dist = new int[nLeft];
        int[] next = new int[nLeft]; // per-vertex edge cursor for the iterative DFS
        int[] stack = new int[nLeft];
        int matched = 0;
        // greedy start: most pixels match their first free neighbour
        for (int u = 0; u < nLeft; u++) {
            for (int e = start[u]; e < start[u + 1]; e++) {
                if (matchRight[edges[e]] == FREE) {
                    matchLeft[u] = edges[e];
                    matchRight[edges[e]] = u;
                    matched++;
                    break;
                }
            }
        }
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        while (true) {
            // BFS layers from free left vertices
            queue.clear();
            boolean foundFree = false;
            for (int u = 0; u < nLeft; u++) {
                if (matchLeft[u] == FREE) {
                    dist[u] = 0;
                    queue.add(u);
                } else {
                    dist[u] = Integer.MAX_VALUE;
                }
            }
            while (!queue.isEmpty()) {
                int u = queue.poll();
                for (int e = start[u]; e < start[u + 1]; e++) {
                    int w = matchRight[edges[e]];
                    if (w == FREE) {
                        foundFree = true;
                    } else if (dist[w] == Integer.MAX_VALUE) {
                        dist[w] = dist[u] + 1;
                        queue.add(w);
                    }
                }
            }
            if (!foundFree) {
                return matched;
            }
            // DFS along the layers for vertex-disjoint shortest augmenting paths (iterative)
            System.arraycopy(start, 0, next, 0, nLeft);
            for (int root = 0; root < nLeft; root++) {
                if (matchLeft[root] != FREE) {
                    continue;
                }
                int depth = 0;
                stack[0] = root;
                boolean augmented = false;
                while (depth >= 0 && !augmented) {
                    int u = stack[depth];
                    if (next[u] == start[u + 1]) {
                        dist[u] = Integer.MAX_VALUE; // dead end: never revisit in this phase
                        depth--;
                        continue;
                    }
                    int v = edges[next[u]++];
                    int w = matchRight[v];
                    if (w == FREE) {
                        // augment along the stack: stack[i] takes the right vertex it last tried
                        for (int i = depth; i >= 0; i--) {
                            int ui = stack[i];
                            int vi = edges[next[ui] - 1];
                            matchLeft[ui] = vi;
                            matchRight[vi] = ui;
                        }
                        matched++;
                        augmented = true;
                    } else if (dist[w] == dist[u] + 1) {
                        stack[++depth] = w;
                    }
                }
            }
        }
    }
}
