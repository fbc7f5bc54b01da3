package org.m3vit.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.m3vit.moe.Dispatchers;
import org.m3vit.moe.HostSync;
import org.m3vit.moe.MoeLayer;
import org.m3vit.moe.MoeOutput;
import org.m3vit.moe.RoutingContext;
import org.m3vit.nn.Checks;
import org.m3vit.nn.LinearLayer;

/**
 * Times one MoE layer with reordered dispatch, the same layer with dense dispatch, and a dense FFN
 * with the same active FLOPs (hidden = k·H), forward and forward+backward, after warm-up; reports
 * the median of the repetitions.
 */
public final class MoeBenchmark {

    /** Benchmark settings; the defaults are M³ViT-S on a batch of 8 PASCAL images (8 × 1025 tokens). */
    public record Config(
            int dim, int hidden, int experts, int topK, int tokens, int warmup, int repeats, long seed, String gate) {
        public Config {
            Checks.positive("dim", dim);
            Checks.positive("hidden", hidden);
            Checks.positive("experts", experts);
            Checks.positive("top-k", topK);
            Checks.positive("tokens", tokens);
            Checks.positive("repeats", repeats);
            if (warmup < 0) {
                throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
            }
            if (topK > experts) {
                throw new IllegalArgumentException(
                        "top-k must be <= experts, got top-k=" + topK + " experts=" + experts);
            }
        }
    }

    /**
     * Median timings of one variant, the host synchronisations per forward and the time spent in them
     * per forward (measured over the timed forward runs), and the fastest and slowest timed forward.
     */
    public record Timing(
            double fwdMs,
            double fwdBwdMs,
            double fwdTokensPerSecond,
            double hostSyncsPerFwd,
            double hostSyncMsPerFwd,
            double fwdMinMs,
            double fwdMaxMs) {}

    /**
     * The three variants' timings (keys reordered, dense_dispatch, dense_ffn), the GEMM efficiency, and
     * how the reordered layer ran its experts on this config's queues ({@link Dispatchers#reorderedPath}).
     */
    public record Result(Map<String, Timing> timings, GemmEfficiency.Result gemms, String reorderedPath) {}

    private final Config config;
    private final Consumer<String> progress;

    public MoeBenchmark(Config config, Consumer<String> progress) {
        this.config = config;
        this.progress = progress;
    }

    /**
     * Runs all three variants, then the expert GEMMs alone with the reordered layer's token counts of one
     * forward, against one large GEMM.
     */
    public Result run() {
        Engine.getInstance().setRandomSeed((int) config.seed());
        try (NDManager root = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(root, false);
            NDArray x = root.randomNormal(new Shape(1, config.tokens(), config.dim()));
            x.setRequiresGradient(true);

            Map<String, Function<Boolean, NDArray>> variants = new LinkedHashMap<>();
            long[][] counts = new long[1][];
            for (String mode : Dispatchers.ids()) {
                MoeLayer layer = MoeLayer.builder()
                        .dim(config.dim())
                        .hidden(config.hidden())
                        .experts(config.experts())
                        .topK(config.topK())
                        .gate(config.gate())
                        .dispatch(mode)
                        .build();
                layer.initialize(root, DataType.FLOAT32);
                if (mode.equals(Dispatchers.REORDERED)) {
                    try (NDScope scope = new NDScope()) {
                        counts[0] = layer.forward(ps, x, RoutingContext.none(), false)
                                .expertCounts()
                                .toType(DataType.INT64, false)
                                .toLongArray();
                    }
                }
                variants.put(mode.equals(Dispatchers.REORDERED) ? "reordered" : mode + "_dispatch", training -> {
                    MoeOutput out = layer.forward(ps, x, RoutingContext.none(), training);
                    return training ? out.output().sum().add(out.auxLoss()) : out.output();
                });
            }
            long denseHidden = (long) config.topK() * config.hidden();
            LinearLayer fc1 = LinearLayer.torchDefault(config.dim(), denseHidden, true);
            LinearLayer fc2 = LinearLayer.torchDefault(denseHidden, config.dim(), true);
            fc1.initialize(root, DataType.FLOAT32, new Shape(config.dim()));
            fc2.initialize(root, DataType.FLOAT32, new Shape(denseHidden));
            variants.put("dense_ffn", training -> {
                NDArray y = fc2.forward(ps, Activation.gelu(fc1.forward(ps, x, training)), training);
                return training ? y.sum() : y;
            });
            Map<String, Timing> timings = measure(variants);
            GemmEfficiency.Result gemms = GemmEfficiency.measure(
                    root,
                    counts[0],
                    config.dim(),
                    config.hidden(),
                    config.topK(),
                    config.warmup(),
                    config.repeats(),
                    progress);
            return new Result(timings, gemms, Dispatchers.reorderedPath(counts[0]));
        }
    }

    /**
     * Times every variant in interleaved rounds (one run of each per round), so slow phases of the
     * machine hit all variants alike instead of whichever happened to be running.
     */
    private Map<String, Timing> measure(Map<String, Function<Boolean, NDArray>> variants) {
        int total = config.warmup() + config.repeats();
        Map<String, double[]> fwd = new LinkedHashMap<>();
        Map<String, double[]> fwdBwd = new LinkedHashMap<>();
        Map<String, long[]> syncs = new LinkedHashMap<>();
        variants.keySet().forEach(name -> {
            fwd.put(name, new double[config.repeats()]);
            fwdBwd.put(name, new double[config.repeats()]);
            syncs.put(name, new long[2]);
        });
        for (int i = 0; i < total; i++) {
            progress.accept(String.format("forward round %d/%d", i + 1, total));
            for (var v : variants.entrySet()) {
                long syncs0 = HostSync.count();
                long syncNanos0 = HostSync.nanos();
                try (NDScope scope = new NDScope()) {
                    long t0 = System.nanoTime();
                    v.getValue().apply(false);
                    long t1 = System.nanoTime();
                    if (i >= config.warmup()) {
                        fwd.get(v.getKey())[i - config.warmup()] = (t1 - t0) / 1e6;
                        syncs.get(v.getKey())[0] += HostSync.count() - syncs0;
                        syncs.get(v.getKey())[1] += HostSync.nanos() - syncNanos0;
                    }
                }
            }
        }
        for (int i = 0; i < total; i++) {
            progress.accept(String.format("forward+backward round %d/%d", i + 1, total));
            for (var v : variants.entrySet()) {
                try (NDScope scope = new NDScope();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    long t0 = System.nanoTime();
                    gc.backward(v.getValue().apply(true));
                    long t1 = System.nanoTime();
                    if (i >= config.warmup()) {
                        fwdBwd.get(v.getKey())[i - config.warmup()] = (t1 - t0) / 1e6;
                    }
                }
            }
        }
        Map<String, Timing> results = new LinkedHashMap<>();
        int n = config.repeats();
        for (String name : variants.keySet()) {
            double[] f = fwd.get(name);
            double fwdMs = median(f);
            results.put(
                    name,
                    new Timing(
                            fwdMs,
                            median(fwdBwd.get(name)),
                            config.tokens() / (fwdMs / 1000.0),
                            (double) syncs.get(name)[0] / n,
                            syncs.get(name)[1] / 1e6 / n,
                            min(f),
                            max(f)));
        }
        return results;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
