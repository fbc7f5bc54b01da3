package org.m3vit.cli;

import com.google.gson.GsonBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.m3vit.bench.GemmEfficiency;
import org.m3vit.bench.MoeBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit bench moe}: reordered vs dense dispatch vs an equal-active-FLOPs dense FFN. */
@Command(
        name = "moe",
        mixinStandardHelpOptions = true,
        description = "Time one MoE layer (reordered and dense dispatch) against a dense FFN with the same"
                + " active FLOPs, forward and forward+backward; median of the repetitions after warm-up.")
final class BenchMoeCommand implements Callable<Integer> {

    @Option(names = "--dim", defaultValue = "384", description = "Token width D (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(
            names = "--hidden",
            defaultValue = "384",
            description = "Expert hidden width H (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--experts", defaultValue = "16", description = "Experts E (default: ${DEFAULT-VALUE}).")
    int experts;

    @Option(names = "--top-k", defaultValue = "4", description = "Experts per token k (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--tokens",
            defaultValue = "8200",
            description = "Tokens per call (default: ${DEFAULT-VALUE} = 8 images x 1025 tokens).")
    int tokens;

    @Mixin
    ThreadsOption threadsOption;

    @Option(names = "--gate", defaultValue = "noisy_vmoe", description = "Gate type (default: ${DEFAULT-VALUE}).")
    String gate;

    @Option(
            names = "--warmup",
            defaultValue = "3",
            description = "Untimed warm-up rounds (default: ${DEFAULT-VALUE}); the allocator needs a few to reach"
                    + " steady state.")
    int warmup;

    @Option(names = "--repeats", defaultValue = "9", description = "Timed runs, >= 5 (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        if (repeats < 5) {
            throw new IllegalArgumentException("--repeats must be >= 5 for a meaningful median, got " + repeats);
        }
        int threads = threadsOption.apply();
        MoeBenchmark.Config config =
                new MoeBenchmark.Config(dim, hidden, experts, topK, tokens, warmup, repeats, seed, gate);
        MoeBenchmark.Result result = new MoeBenchmark(config, Progress.line()).run();
        Map<String, MoeBenchmark.Timing> r = result.timings();
        GemmEfficiency.Result g = result.gemms();
        Progress.clear();

        double reordered = r.get("reordered").fwdMs();
        double ratioVsFfn = reordered / r.get("dense_ffn").fwdMs();
        double ratioVsFfnTraining =
                r.get("reordered").fwdBwdMs() / r.get("dense_ffn").fwdBwdMs();
        double ratioDense = r.get("dense_dispatch").fwdMs() / reordered;
        if (json) {
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("dim", dim);
            cfg.put("hidden", hidden);
            cfg.put("experts", experts);
            cfg.put("top_k", topK);
            cfg.put("tokens", tokens);
            cfg.put("threads", threads);
            cfg.put("gate", gate);
            cfg.put("warmup", warmup);
            cfg.put("repeats", repeats);
            cfg.put("seed", seed);
            cfg.put("allocator", allocator());
            Map<String, Object> results = new LinkedHashMap<>();
            r.forEach((name, t) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("fwd_ms", round(t.fwdMs()));
                m.put("fwdbwd_ms", round(t.fwdBwdMs()));
                m.put("fwd_tokens_per_s", Math.round(t.fwdTokensPerSecond()));
                m.put("fwd_ms_min", round(t.fwdMinMs()));
                m.put("fwd_ms_max", round(t.fwdMaxMs()));
                m.put("host_syncs_per_fwd", round(t.hostSyncsPerFwd()));
                m.put("host_sync_ms_per_fwd", round(t.hostSyncMsPerFwd()));
                if (name.equals("reordered")) {
                    m.put("path", result.reorderedPath());
                }
                results.put(name, m);
            });
            Map<String, Object> ratios = new LinkedHashMap<>();
            ratios.put("reordered_over_dense_ffn_fwd", round(ratioVsFfn));
            ratios.put("reordered_over_dense_ffn_fwdbwd", round(ratioVsFfnTraining));
            ratios.put("dense_dispatch_over_reordered_fwd", round(ratioDense));
            Map<String, Object> gemm = new LinkedHashMap<>();
            gemm.put("peak_gemm_side", GemmEfficiency.PEAK_SIDE);
            gemm.put("peak_gflops", round(g.peakGflops()));
            gemm.put("expert_gemm_gflops", round(g.expertGflops()));
            gemm.put("expert_gemm_fraction_of_peak", round(g.expertFractionOfPeak()));
            gemm.put("dense_ffn_gemm_gflops", round(g.denseFfnGflops()));
            gemm.put("dense_ffn_gemm_fraction_of_peak", round(g.denseFfnFractionOfPeak()));
            gemm.put("expert_gflop_per_fwd", g.expertGflop());
            gemm.put("reordered_fwd_gflops", round(g.expertGflop() / (reordered / 1000.0)));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", cfg);
            out.put("results", results);
            out.put("ratios", ratios);
            out.put("gemm", gemm);
            System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(out));
        } else {
            System.out.printf(
                    "MoE layer: D=%d H=%d E=%d k=%d tokens=%d threads=%d gate=%s allocator=%s (median of %d)%n",
                    dim, hidden, experts, topK, tokens, threads, gate, allocator(), repeats);
            System.out.printf(
                    "%-16s %10s %17s %12s %14s %11s %12s%n",
                    "variant", "fwd ms", "fwd min-max", "fwd+bwd ms", "fwd tokens/s", "host syncs", "sync ms/fwd");
            r.forEach((name, t) -> System.out.printf(
                    "%-16s %10.1f %8.1f-%-8.1f %12.1f %14.0f %11.1f %12.3f%n",
                    name,
                    t.fwdMs(),
                    t.fwdMinMs(),
                    t.fwdMaxMs(),
                    t.fwdBwdMs(),
                    t.fwdTokensPerSecond(),
                    t.hostSyncsPerFwd(),
                    t.hostSyncMsPerFwd()));
            System.out.printf(
                    "reordered path: %s (experts %s)%n",
                    result.reorderedPath(),
                    result.reorderedPath().equals("batched")
                            ? "in one batched GEMM pair on padded queues"
                            : "one GEMM pair each");
            System.out.printf("reordered / dense_ffn (fwd):       %.2f  (target <= 1.15)%n", ratioVsFfn);
            System.out.printf("reordered / dense_ffn (fwd+bwd):   %.2f  (target <= 1.3)%n", ratioVsFfnTraining);
            System.out.printf("dense_dispatch / reordered (fwd):  %.2f  (target >= 3)%n", ratioDense);
            System.out.printf(
                    "GEMM GFLOP/s: peak (%d^3) %.1f; expert GEMMs %.1f (%.0f%% of peak, target >= 70%%);"
                            + " dense FFN GEMMs %.1f (%.0f%%); whole reordered layer %.1f%n",
                    GemmEfficiency.PEAK_SIDE,
                    g.peakGflops(),
                    g.expertGflops(),
                    100 * g.expertFractionOfPeak(),
                    g.denseFfnGflops(),
                    100 * g.denseFfnFractionOfPeak(),
                    g.expertGflop() / (reordered / 1000.0));
        }
        return 0;
    }

    /** The launcher's allocator setting (M3VIT_MALLOC: bounded, glibc or reuse), or "unset" outside it. */
    static String allocator() {
        String chosen = System.getenv("M3VIT_MALLOC");
        if (chosen != null && !chosen.isBlank()) {
            return chosen;
        }
        return System.getenv("MALLOC_TRIM_THRESHOLD_") != null ? "bounded" : "unset";
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
