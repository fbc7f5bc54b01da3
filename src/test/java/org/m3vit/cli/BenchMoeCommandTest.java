package org.m3vit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BenchMoeCommandTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void jsonReportHasEveryVariantAndRatio() {
        Run r = run("bench", "moe", "--dim", "32", "--hidden", "32", "--experts", "4", "--top-k", "2",
                "--tokens", "64", "--warmup", "0", "--repeats", "5", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject json = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertEquals(4, json.getAsJsonObject("config").get("experts").getAsInt());
        for (String variant : new String[] {"reordered", "dense_dispatch", "dense_ffn"}) {
            JsonObject v = json.getAsJsonObject("results").getAsJsonObject(variant);
            assertTrue(v.get("fwd_ms").getAsDouble() > 0, variant);
            assertTrue(v.get("fwdbwd_ms").getAsDouble() > 0, variant);
            assertTrue(v.get("fwd_tokens_per_s").getAsDouble() > 0, variant);
        }
        // reordered dispatch reads the queue lengths once per call; the dense paths never sync
        assertEquals(1.0, json.getAsJsonObject("results").getAsJsonObject("reordered")
                .get("host_syncs_per_fwd").getAsDouble(), 0.0);
        assertEquals(0.0, json.getAsJsonObject("results").getAsJsonObject("dense_dispatch")
                .get("host_syncs_per_fwd").getAsDouble(), 0.0);
        JsonObject ratios = json.getAsJsonObject("ratios");
        double reordered = json.getAsJsonObject("results").getAsJsonObject("reordered").get("fwd_ms").getAsDouble();
        double ffn = json.getAsJsonObject("results").getAsJsonObject("dense_ffn").get("fwd_ms").getAsDouble();
        // the ratio is computed before fwd_ms is rounded to 0.001 ms, so allow for that rounding
        double bound = reordered / ffn * (0.0005 / reordered + 0.0005 / ffn) + 0.001;
        assertEquals(reordered / ffn, ratios.get("reordered_over_dense_ffn_fwd").getAsDouble(), bound);
    }

    @Test
    void badFlagsExitTwoWithAMessage() {
        Run r = run("bench", "moe", "--experts", "4", "--top-k", "5", "--tokens", "8");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("top-k must be <= experts"), r.err());

        Run few = run("bench", "moe", "--repeats", "3");
        assertEquals(2, few.code());
        assertTrue(few.err().contains("--repeats must be >= 5"), few.err());

        Run gate = run("bench", "moe", "--gate", "nope", "--tokens", "8", "--dim", "8", "--hidden", "8");
        assertEquals(2, gate.code());
        assertTrue(gate.err().contains("unknown gate type 'nope'"), gate.err());

        Run notANumber = run("bench", "moe", "--dim", "wide");
        assertEquals(2, notANumber.code());
        assertTrue(notANumber.err().contains("--dim"), notANumber.err());
    }

    @Test
    void helpListsCommands() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("bench"), r.out());
    }
}
