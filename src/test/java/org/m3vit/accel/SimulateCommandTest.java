package org.m3vit.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.runtime.ExpertTrace;

/** {@code m3vit simulate} end to end: the --json contract, the three routing sources, and bad input → exit 2. */
class SimulateCommandTest {

    private static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";
    private static final String ZCU102 = "configs/hardware/zcu102.yml";

    @TempDir
    Path dir;

    @Test
    void jsonHasTheContractKeysOnOneLine() {
        CliRun r = CliRun.of(
                "simulate",
                "--config",
                CONFIG,
                "--hardware",
                ZCU102,
                "--routing",
                "uniform",
                "--task",
                "semseg",
                "--json");
        assertEquals(0, r.exit, r.err);
        String line = r.out.strip();
        assertFalse(line.contains("\n"), "one line, for line-oriented tools");
        JsonObject j = JsonParser.parseString(line).getAsJsonObject();
        for (String s : List.of("token_order", "all_resident", "reordered", "double_buffered")) {
            JsonObject o = j.getAsJsonObject("schedules").getAsJsonObject(s);
            for (String k : List.of(
                    "latency_ms",
                    "offchip_bytes",
                    "onchip_bytes",
                    "energy_j",
                    "stall_fraction",
                    "images_per_j",
                    "fits",
                    "layers",
                    "backbone")) {
                assertTrue(o.has(k), s + "." + k);
            }
            assertTrue(o.get("latency_ms").getAsDouble() > 0, s);
        }
        assertTrue(j.getAsJsonObject("task_switch").has("bytes"));
        assertTrue(j.getAsJsonObject("task_switch").has("cycles"));
        assertTrue(j.getAsJsonObject("hardware").get("name").getAsString().equals("zcu102"));
        assertEquals(4, j.getAsJsonObject("model").get("experts").getAsInt());
        assertTrue(j.getAsJsonObject("ratios").has("memory_all_resident_over_double_buffered"));
    }

    @Test
    void badInputExitsWithTwoAndNamesTheKeyFileOrField() throws Exception {
        String good = Files.readString(Path.of(ZCU102));
        Path negative = dir.resolve("neg.yml");
        Files.writeString(negative, good.replace("offchip_bytes_per_cycle: 32", "offchip_bytes_per_cycle: -32"));
        badInput("offchip_bytes_per_cycle", "--hardware", negative.toString());
        Path unknown = dir.resolve("unknown.yml");
        Files.writeString(unknown, good + "\nbanks: 4\n");
        badInput("banks", "--hardware", unknown.toString());
        badInput("none.yml", "--hardware", dir.resolve("none.yml").toString());
        badInput("routing", "--hardware", ZCU102, "--routing", "zipf:x");
        badInput("task", "--hardware", ZCU102, "--task", "depth"); // not a task of this PASCAL config
        badInput("task", "--hardware", ZCU102, "--task", "segmentation");
        // A trace of another model: 5 experts where the config has 4.
        Path trace = dir.resolve("t.json");
        new ExpertTrace(
                        5,
                        2,
                        17,
                        4,
                        List.of(new ExpertTrace.Image(
                                "x",
                                "semseg",
                                List.of(
                                        new ExpertTrace.Layer(1, List.of(10, 10, 10, 4, 0), 0),
                                        new ExpertTrace.Layer(3, List.of(10, 10, 10, 4, 0), 0)))))
                .write(trace);
        badInput(trace + ": experts", "--hardware", ZCU102, "--trace", trace.toString());
    }

    private static void badInput(String named, String... args) {
        CliRun r = CliRun.of(Stream.concat(Stream.of("simulate", "--config", CONFIG), Arrays.stream(args))
                .toArray(String[]::new));
        assertEquals(2, r.exit, String.join(" ", args) + ": " + r.err);
        String line = r.err.strip();
        assertFalse(line.contains("\n"), "one line: " + line);
        assertTrue(line.startsWith("m3vit simulate: error: ") && line.contains(named), line);
        assertFalse(line.contains(" --"), "the message names no CLI flag: " + line);
    }

    @Test
    void aTraceIsReadAndCrossChecked() throws Exception {
        // tiny_pascal: 64×64 → 17 tokens, E=4, top-2, MoE blocks 1 and 3; one expert = 2·(32·32) + 32 + 32
        // = 2112 parameters = 8448 bytes at float32; queues with 3 non-empty experts → 25344 bytes.
        Path trace = dir.resolve("t.json");
        new ExpertTrace(
                        4,
                        2,
                        17,
                        4,
                        List.of(new ExpertTrace.Image(
                                "x",
                                "normals",
                                List.of(
                                        new ExpertTrace.Layer(1, List.of(14, 17, 3, 0), 25344),
                                        new ExpertTrace.Layer(3, List.of(9, 9, 8, 8), 1)))))
                .write(trace);
        CliRun r = CliRun.of(
                "simulate",
                "--config",
                CONFIG,
                "--hardware",
                ZCU102,
                "--trace",
                trace.toString(),
                "--task",
                "normals",
                "--json");
        assertEquals(0, r.exit, r.err);
        JsonObject cc = JsonParser.parseString(r.out.strip()).getAsJsonObject().getAsJsonObject("trace_cross_check");
        assertEquals(2, cc.get("layers_compared").getAsInt());
        assertEquals(1, cc.get("layers_matching").getAsInt());
        assertEquals(
                33792,
                cc.getAsJsonArray("mismatches")
                        .get(0)
                        .getAsJsonObject()
                        .get("predicted_bytes")
                        .getAsLong());
    }

    @Test
    void aRealForwardGivesTheRoutingAndThePlotIsWritten() throws Exception {
        Path w = dir.resolve("w.safetensors");
        Path data = dir.resolve("data");
        assertEquals(0, CliRun.of("init-weights", "--config", CONFIG, "--out", w.toString(), "--seed", "1").exit);
        CliRun synth = CliRun.of(
                "synth",
                "--layout",
                "pascal",
                "--n",
                "5",
                "--size",
                "64x64",
                "--out",
                data.toString(),
                "--threads",
                "1");
        assertEquals(0, synth.exit, synth.err);
        Path png = dir.resolve("stall.png");
        CliRun r = CliRun.of(
                "simulate",
                "--config",
                CONFIG,
                "--hardware",
                "configs/hardware/zcu104.yml",
                "--weights",
                w.toString(),
                "--data",
                data.toString(),
                "--task",
                "sal",
                "--images",
                "2",
                "--plot",
                png.toString());
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("forward of w.safetensors on "), r.out);
        assertTrue(r.out.contains("double_buffered"));
        assertTrue(Files.size(png) > 1000);
    }
}
