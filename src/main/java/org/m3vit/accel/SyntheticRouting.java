package org.m3vit.accel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;

/**
 * Routing drawn at random, deterministically from a seed. Every token picks k distinct experts without
 * replacement, each draw in proportion to the experts' popularity: equal for {@code uniform}; for
 * {@code zipf:S}, 1/rank^S, with the ranks shuffled per layer so that each layer has its own favourites.
 *
 * @param exponent S (0 for uniform)
 */
public record SyntheticRouting(String spec, double exponent) {

    /** Parses {@code uniform} or {@code zipf:S} with S a finite number > 0; errors name the routing field. */
    public static SyntheticRouting parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("uniform")) {
            return new SyntheticRouting("uniform", 0);
        }
        if (s.startsWith("zipf:")) {
            try {
                double e = Double.parseDouble(s.substring(5));
                if (e > 0 && Double.isFinite(e)) {
                    return new SyntheticRouting("zipf:" + s.substring(5), e);
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted forms
            }
        }
        throw InvalidInputException.field(
                "routing", "expected uniform or zipf:S with S a number > 0 (e.g." + " zipf:1.2), got '" + spec + "'");
    }

    /** Queue lengths for {@code images} images of this config's token count. */
    public Routing generate(ModelConfig config, int images, long seed) {
        if (images < 1) {
            throw InvalidInputException.field("images", "must be >= 1, got " + images);
        }
        int experts = config.moeExperts();
        int k = config.moeTopK();
        int tokens = config.numPatches() + 1;
        int layers = config.moeLayers().size();
        SplittableRandom random = new SplittableRandom(seed);
        double[][] popularity = new double[layers][];
        for (int m = 0; m < layers; m++) {
            popularity[m] = popularity(experts, random);
        }
        List<Routing.Image> out = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            int[][] q = new int[layers][experts];
            for (int m = 0; m < layers; m++) {
                for (int t = 0; t < tokens; t++) {
                    for (int e : drawDistinct(popularity[m], k, random)) {
                        q[m][e]++;
                    }
                }
            }
            out.add(new Routing.Image("synthetic-" + i, q));
        }
        return new Routing(spec + " (seed " + seed + ")", out);
    }

    /** 1/rank^S over a random permutation of the experts. */
    private double[] popularity(int experts, SplittableRandom random) {
        int[] rank = new int[experts];
        for (int e = 0; e < experts; e++) {
            rank[e] = e;
        }
        for (int e = experts - 1; e > 0; e--) {
            int j = random.nextInt(e + 1);
            int tmp = rank[e];
            rank[e] = rank[j];
            rank[j] = tmp;
        }
        double[] p = new double[experts];
        for (int e = 0; e < experts; e++) {
            p[e] = Math.pow(rank[e] + 1, -exponent);
        }
        return p;
    }

    /** k distinct experts, each draw in proportion to the popularity of those not yet drawn. */
    private static int[] drawDistinct(double[] popularity, int k, SplittableRandom random) {
        double[] w = popularity.clone();
        int[] picked = new int[k];
        for (int j = 0; j < k; j++) {
            double total = 0;
            for (double v : w) {
                total += v;
            }
            double u = random.nextDouble() * total;
            int e = 0;
            while (e < w.length - 1 && (u -= w[e]) >= 0) {
                e++;
            }
            while (w[e] == 0) { // rounding at the end of the range: step back to an expert still available
                e--;
            }
            picked[j] = e;
            w[e] = 0;
        }
        return picked;
    }
}
