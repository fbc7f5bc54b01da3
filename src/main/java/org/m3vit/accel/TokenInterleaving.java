package org.m3vit.accel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The order in which a token-by-token schedule meets the experts. The model's forward and the trace give
 * only queue lengths, not which token chose which experts, so the order is rebuilt: any assignment of k
 * distinct experts to each token with those queue lengths, with the tokens in a random order. The
 * randomness is seeded by the queue lengths themselves, so a layer always gets the same order.
 */
final class TokenInterleaving {

    private TokenInterleaving() {}

    /** Expert ids in visiting order: token by token, each token's k experts. */
    static int[] sequence(int[] queueLengths, int topK, int tokens) {
        // Deal the expert-sorted (expert, slot) list round-robin over the tokens: entry j goes to token j mod L.
        // An expert's entries are consecutive and at most L, so they land on distinct tokens, and every token
        // gets exactly k entries because the lengths sum to k·L.
        int[][] chosen = new int[tokens][topK];
        int[] filled = new int[tokens];
        int j = 0;
        for (int e = 0; e < queueLengths.length; e++) {
            for (int c = 0; c < queueLengths[e]; c++, j++) {
                int t = j % tokens;
                chosen[t][filled[t]++] = e;
            }
        }
        SplittableRandom random = new SplittableRandom(Arrays.hashCode(queueLengths));
        shuffle(chosen, random);
        int[] order = new int[tokens * topK];
        int p = 0;
        for (int[] experts : chosen) {
            shuffle(experts, random);
            for (int e : experts) {
                order[p++] = e;
            }
        }
        return order;
    }

    private static void shuffle(int[][] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int k = r.nextInt(i + 1);
            int[] tmp = a[i];
            a[i] = a[k];
            a[k] = tmp;
        }
    }

    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int k = r.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[k];
            a[k] = tmp;
        }
    }
}
