package org.m3vit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How close the experts' matrix products come to what this machine's GEMM can do: the GFLOP/s of one large
 * square product (the measured peak), against the GFLOP/s of the expert GEMMs alone, as reordered dispatch
 * runs them (expert e multiplies its n_e queued tokens by its (D, H) and then (H, D) weights), and of the
 * equal-FLOP dense FFN's two GEMMs. Only the products are timed: no gate, gather, activation or scatter, so
 * the fraction says whether the per-expert shapes are too small for the GEMM kernel, and the layer's time
 * beyond it is dispatch overhead.
 */
public final class GemmEfficiency {

    /** The large product's side: 2·2048³ = 17 GFLOP, long enough to reach the kernel's steady state. */
    public static final int PEAK_SIDE = 2048;

    /**
     * @param peakGflops one PEAK_SIDE³ product
     * @param expertGflops the per-expert products of one forward
     * @param denseFfnGflops the dense FFN's (tokens, D)·(D, kH) and (tokens, kH)·(kH, D)
     * @param expertGflop the floating-point work of the expert products, in GFLOP (equal to the dense FFN's)
     */
    public record Result(double peakGflops, double expertGflops, double denseFfnGflops, double expertGflop) {
        public double expertFractionOfPeak() {
            return expertGflops / peakGflops;
        }

        public double denseFfnFractionOfPeak() {
            return denseFfnGflops / peakGflops;
        }
    }

    private GemmEfficiency() {}

    /**
     * @param counts tokens queued per expert in one forward (from the layer's gate)
     * @param dim D
     * @param hidden H, the expert hidden width
     * @param topK k; the dense FFN's hidden width is kH
     */
    @SuppressWarnings("try") // scopes are used for their close()
    public static Result measure(
            NDManager m,
            long[] counts,
            int dim,
            int hidden,
            int topK,
            int warmup,
            int repeats,
            Consumer<String> progress) {
        long tokens = 0;
        for (long c : counts) {
            tokens += c;
        }
        double expertFlop = 2.0 * tokens * dim * hidden * 2;
        long denseTokens = tokens / topK;
        double denseFlop = 2.0 * denseTokens * dim * ((long) topK * hidden) * 2;
        try (NDManager g = m.newSubManager()) {
            NDArray a = g.randomNormal(new Shape(PEAK_SIDE, PEAK_SIDE));
            NDArray b = g.randomNormal(new Shape(PEAK_SIDE, PEAK_SIDE));
            double peakMs = time(warmup, repeats, () -> a.matMul(b), "peak GEMM", progress);

            NDArray[] x = new NDArray[counts.length];
            NDArray[] w1 = new NDArray[counts.length];
            NDArray[] w2 = new NDArray[counts.length];
            for (int e = 0; e < counts.length; e++) {
                x[e] = g.randomNormal(new Shape(counts[e], dim));
                w1[e] = g.randomNormal(new Shape(dim, hidden));
                w2[e] = g.randomNormal(new Shape(hidden, dim));
            }
            double expertMs = time(
                    warmup,
                    repeats,
                    () -> {
                        NDArray last = null;
                        for (int e = 0; e < counts.length; e++) {
                            if (counts[e] > 0) {
                                last = x[e].matMul(w1[e]).matMul(w2[e]);
                            }
                        }
                        return last;
                    },
                    "expert GEMMs",
                    progress);

            NDArray xd = g.randomNormal(new Shape(denseTokens, dim));
            NDArray d1 = g.randomNormal(new Shape(dim, (long) topK * hidden));
            NDArray d2 = g.randomNormal(new Shape((long) topK * hidden, dim));
            double denseMs = time(warmup, repeats, () -> xd.matMul(d1).matMul(d2), "dense FFN GEMMs", progress);
            double peakFlop = 2.0 * PEAK_SIDE * PEAK_SIDE * PEAK_SIDE;
            return new Result(
                    peakFlop / peakMs / 1e6, expertFlop / expertMs / 1e6, denseFlop / denseMs / 1e6, expertFlop / 1e9);
        }
    }

    /**
     * Median ms of {@code run}. One element of each result is read back, which waits for the product on an
     * engine that runs asynchronously (a GPU); on the CPU the products are already done.
     */
    @SuppressWarnings("try")
    private static double time(int warmup, int repeats, Supplier<NDArray> run, String what, Consumer<String> progress) {
        double[] ms = new double[repeats];
        for (int i = 0; i < warmup + repeats; i++) {
            progress.accept(String.format("%s round %d/%d", what, i + 1, warmup + repeats));
            try (NDScope scope = new NDScope()) {
                long t0 = System.nanoTime();
                run.get().getFloat(0, 0);
                long t1 = System.nanoTime();
                if (i >= warmup) {
                    ms[i - warmup] = (t1 - t0) / 1e6;
                }
            }
        }
        return MoeBenchmark.median(ms);
    }
}
