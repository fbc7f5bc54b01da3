package org.m3vit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class BenchMoeCommandTest {

    @Test
    void jsonReportHasEveryVariantAndRatio() {
        CliRun r = CliRun.of(
                "bench",
                "moe",
                "--dim",
                "32",
                "--hidden",
                "32",
                "--experts",
                "4",
                "--top-k",
                "2",
                "--tokens",
                "64",
                "--warmup",
                "0",
                "--repeats",
                "5",
                "--json");
        assertEquals(0, r.exit, r.err);
        JsonObject json = JsonParser.parseString(r.out.trim()).getAsJsonObject();
        assertEquals(4, json.getAsJsonObject("config").get("experts").getAsInt());
        for (String variant : new String[] {"reordered", "dense_dispatch", "dense_ffn"}) {
            JsonObject v = json.getAsJsonObject("results").getAsJsonObject(variant);
            assertTrue(v.get("fwd_ms").getAsDouble() > 0, variant);
            assertTrue(v.get("fwdbwd_ms").getAsDouble() > 0, variant);
            assertTrue(v.get("fwd_tokens_per_s").getAsDouble() > 0, variant);
        }
        // reordered dispatch reads the queue lengths once per call; the dense paths never sync
        assertEquals(
                1.0,
                json.getAsJsonObject("results")
                        .getAsJsonObject("reordered")
                        .get("host_syncs_per_fwd")
                        .getAsDouble(),
                0.0);
        assertEquals(
                0.0,
                json.getAsJsonObject("results")
                        .getAsJsonObject("dense_dispatch")
                        .get("host_syncs_per_fwd")
                        .getAsDouble(),
                0.0);
        // 64 tokens × top-2 = 128 rows over 4 experts: at most 4 × 128 padded rows, far under the batched limit
        assertEquals(
                "batched",
                json.getAsJsonObject("results")
                        .getAsJsonObject("reordered")
                        .get("path")
                        .getAsString());
        JsonObject ratios = json.getAsJsonObject("ratios");
        assertRatioOfTheRoundedTimings(
                json, "fwd_ms", ratios.get("reordered_over_dense_ffn_fwd").getAsDouble());
        assertRatioOfTheRoundedTimings(
                json, "fwdbwd_ms", ratios.get("reordered_over_dense_ffn_fwdbwd").getAsDouble());
        // every token fills exactly k slots, so the expert GEMMs do 2 products of 2·(T·k)·D·H FLOP whatever
        // the routing: 2 · 2 · (64 · 2) · 32 · 32 = 524,288 FLOP
        JsonObject gemm = json.getAsJsonObject("gemm");
        assertEquals(524_288e-9, gemm.get("expert_gflop_per_fwd").getAsDouble(), 1e-12);
        for (String rate : new String[] {"peak_gflops", "expert_gemm_gflops", "dense_ffn_gemm_gflops"}) {
            double v = gemm.get(rate).getAsDouble();
            assertTrue(v > 0 && Double.isFinite(v), rate + " " + v);
        }
        assertEquals(
                gemm.get("expert_gemm_gflops").getAsDouble()
                        / gemm.get("peak_gflops").getAsDouble(),
                gemm.get("expert_gemm_fraction_of_peak").getAsDouble(),
                1e-3);
    }

    @Test
    void badFlagsExitTwoWithAMessage() {
        CliRun r = CliRun.of("bench", "moe", "--experts", "4", "--top-k", "5", "--tokens", "8");
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("top-k must be <= experts"), r.err);

        CliRun few = CliRun.of("bench", "moe", "--repeats", "3");
        assertEquals(2, few.exit);
        assertTrue(few.err.contains("--repeats must be >= 5"), few.err);

        CliRun gate = CliRun.of("bench", "moe", "--gate", "nope", "--tokens", "8", "--dim", "8", "--hidden", "8");
        assertEquals(2, gate.exit);
        assertTrue(gate.err.contains("unknown gate type 'nope'"), gate.err);

        CliRun notANumber = CliRun.of("bench", "moe", "--dim", "wide");
        assertEquals(2, notANumber.exit);
        assertTrue(notANumber.err.contains("--dim"), notANumber.err);
    }

    @Test
    void helpListsCommands() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.exit);
        assertTrue(r.out.contains("bench"), r.out);
    }

    /** reordered / dense_ffn of one timing; the ratio is computed before the timings are rounded to 0.001 ms. */
    private static void assertRatioOfTheRoundedTimings(JsonObject json, String timing, double ratio) {
        JsonObject results = json.getAsJsonObject("results");
        double reordered = results.getAsJsonObject("reordered").get(timing).getAsDouble();
        double ffn = results.getAsJsonObject("dense_ffn").get(timing).getAsDouble();
        double bound = reordered / ffn * (0.0005 / reordered + 0.0005 / ffn) + 0.001;
        assertEquals(reordered / ffn, ratio, bound, timing);
    }
}
