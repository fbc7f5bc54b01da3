package org.m3vit.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.runtime.ExpertTrace;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;

/** Bad profiles, routing specs, traces and tasks are InvalidInputExceptions naming the key, file or field. */
class BadInputTest {

    @TempDir
    Path dir;

    static final String PROFILE = String.join(
            "\n",
            "name: t",
            "clock_mhz: 300",
            "macs_per_cycle: 256",
            "offchip_bytes_per_cycle: 32",
            "onchip_bytes: 4000000",
            "weight_bits: 16",
            "activation_bits: 32",
            "energy:",
            "  mac_pj: 0.5",
            "  offchip_pj_per_byte: 100",
            "  onchip_pj_per_byte: 0.4",
            "static_power_w: 1.0",
            "");

    /** D=16, depth 2 (block 1 MoE), 32×32 → 5 tokens, E=4, top-2, semseg and depth. */
    static ModelConfig tiny() {
        return ModelConfig.builder()
                .tasks(TaskSet.of(DatasetLayout.NYUD, Task.SEMSEG, Task.DEPTH))
                .imgSize(32, 32)
                .embedDim(16)
                .depth(2)
                .numHeads(2)
                .moeExperts(4)
                .moeTopK(2)
                .moeMlpRatio(1)
                .headChannels(4)
                .build();
    }

    @Test
    void theShippedProfilesLoad() throws Exception {
        for (String board : new String[] {"zcu102", "zcu104"}) {
            HardwareProfile p = HardwareProfile.load(Path.of("configs/hardware/" + board + ".yml"));
            assertEquals(board, p.name());
            assertEquals(16, p.weightBits());
        }
        assertEquals(
                32, HardwareProfile.parse(new StringReader(PROFILE), "p.yml").offchipBytesPerCycle());
    }

    @Test
    void badProfilesNameTheKeyAndTheFile() {
        profileError(
                PROFILE.replace("offchip_bytes_per_cycle: 32", "offchip_bytes_per_cycle: -4"),
                "offchip_bytes_per_cycle");
        profileError(PROFILE.replace("clock_mhz: 300", "clock_mhz: 300\nclock_ghz: 1"), "clock_ghz");
        profileError(PROFILE.replace("  mac_pj: 0.5", "  mac_pj: 0.5\n  add_pj: 1"), "energy.add_pj");
        profileError(PROFILE.replace("  mac_pj: 0.5\n", ""), "energy.mac_pj");
        profileError(PROFILE.replace("weight_bits: 16", "weight_bits: 12"), "weight_bits");
        profileError(PROFILE.replace("macs_per_cycle: 256", "macs_per_cycle: many"), "macs_per_cycle");
        profileError(PROFILE.replace("static_power_w: 1.0", "static_power_w: -1"), "static_power_w");
        InvalidInputException yaml = assertThrows(
                InvalidInputException.class, () -> HardwareProfile.parse(new StringReader("a: [1"), "p.yml"));
        assertEquals(InvalidInputException.Kind.FILE, yaml.kind());
        InvalidInputException missing =
                assertThrows(InvalidInputException.class, () -> HardwareProfile.load(dir.resolve("none.yml")));
        assertTrue(missing.getMessage().contains("none.yml"));
    }

    private static void profileError(String yaml, String key) {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> HardwareProfile.parse(new StringReader(yaml), "p.yml"));
        assertEquals(InvalidInputException.Kind.CONFIG_KEY, e.kind());
        assertEquals(key, e.subject());
        assertTrue(e.getMessage().startsWith(key + ":") && e.getMessage().contains("p.yml"), e.getMessage());
        assertFalse(e.getMessage().contains("--"), "no CLI flag: " + e.getMessage());
    }

    @Test
    void badRoutingSpecsNameTheRoutingField() {
        for (String spec : new String[] {"zipf", "zipf:", "zipf:abc", "zipf:-1", "zipf:0", "zipf:NaN", "normal", ""}) {
            fieldError(() -> SyntheticRouting.parse(spec), "routing");
        }
        assertEquals(1.5, SyntheticRouting.parse("zipf:1.5").exponent());
        fieldError(() -> SyntheticRouting.parse("uniform").generate(tiny(), 0, 1), "images");
    }

    @Test
    void unknownOrAbsentTasksNameTheTaskField() {
        fieldError(() -> Workload.task(tiny(), "segmentation"), "task");
        fieldError(() -> Workload.task(tiny(), "normals"), "task");
        assertEquals(Task.DEPTH, Workload.task(tiny(), "depth"));
        InvalidInputException dense =
                assertThrows(InvalidInputException.class, () -> Workload.requireMoe(tiny().denseBaseline()));
        assertEquals("backbone", dense.subject());
    }

    @Test
    void tracesThatDoNotMatchTheConfigNameTheFile() throws Exception {
        // tiny(): 5 tokens, E=4, top-2, MoE block 1; queues sum to 10.
        ExpertTrace.Image good = new ExpertTrace.Image(
                "a", "semseg", List.of(new ExpertTrace.Layer(1, List.of(4, 0, 3, 3), ExpertTrace.NOT_MEASURED)));
        Path f = dir.resolve("t.json");
        assertEquals(
                1,
                route(new ExpertTrace(4, 2, 5, 4, List.of(good)), f)
                        .routing()
                        .images()
                        .size());
        traceError(
                new ExpertTrace(
                        5,
                        2,
                        5,
                        4,
                        List.of(new ExpertTrace.Image(
                                "a", "semseg", List.of(new ExpertTrace.Layer(1, List.of(4, 0, 3, 3, 0), 0))))),
                f,
                "experts");
        traceError(
                new ExpertTrace(
                        4,
                        2,
                        6,
                        4,
                        List.of(new ExpertTrace.Image(
                                "a", "semseg", List.of(new ExpertTrace.Layer(1, List.of(4, 2, 3, 3), 0))))),
                f,
                "tokens");
        traceError(
                new ExpertTrace(
                        4,
                        2,
                        5,
                        4,
                        List.of(new ExpertTrace.Image(
                                "a", "semseg", List.of(new ExpertTrace.Layer(3, List.of(4, 0, 3, 3), 0))))),
                f,
                "images[0].layers");
        traceError(
                new ExpertTrace(
                        4,
                        2,
                        5,
                        4,
                        List.of(new ExpertTrace.Image(
                                "a", "depth", List.of(new ExpertTrace.Layer(1, List.of(4, 0, 3, 3), 0))))),
                f,
                "images");
    }

    @Test
    void theCrossCheckComparesMeasuredAndPredictedExpertBytes() throws Exception {
        // One expert of tiny(): 16·16 + 16 + 16·16 + 16 = 544 parameters, 4 bytes each (float32 runtime) = 2176 B.
        // Queues [4, 0, 3, 3]: three non-empty experts → 6528 B predicted.
        Path f = dir.resolve("t.json");
        ExpertTrace t = new ExpertTrace(
                4,
                2,
                5,
                4,
                List.of(
                        new ExpertTrace.Image(
                                "a", "semseg", List.of(new ExpertTrace.Layer(1, List.of(4, 0, 3, 3), 6528))),
                        new ExpertTrace.Image(
                                "b", "semseg", List.of(new ExpertTrace.Layer(1, List.of(4, 0, 3, 3), 8704)))));
        TraceCrossCheck cc = route(t, f).crossCheck();
        assertEquals(2, cc.layers().size());
        assertEquals(1, cc.matching());
        assertEquals(6528, cc.layers().get(1).predictedBytes());
    }

    private TraceRouting route(ExpertTrace t, Path f) throws Exception {
        t.write(f);
        return TraceRouting.of(ExpertTrace.read(f), f, tiny(), Task.SEMSEG, 10);
    }

    private void traceError(ExpertTrace t, Path f, String field) throws Exception {
        t.write(f);
        ExpertTrace read = ExpertTrace.read(f);
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> TraceRouting.of(read, f, tiny(), Task.SEMSEG, 10));
        assertEquals(InvalidInputException.Kind.FILE, e.kind());
        assertTrue(e.getMessage().startsWith(f + ": " + field), e.getMessage());
        assertTrue(Files.exists(f));
    }

    private static void fieldError(Executable call, String field) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call);
        assertEquals(InvalidInputException.Kind.FIELD, e.kind());
        assertEquals(field, e.subject());
        assertFalse(e.getMessage().contains("--"), "no CLI flag: " + e.getMessage());
    }
}
