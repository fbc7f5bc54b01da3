package org.m3vit.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ModelConfig;
import org.m3vit.model.FlopCounter;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;

/** The whole simulation on a config: it does the work FlopCounter counts, and synthetic routing behaves. */
class SimulatorTest {

    @TempDir
    Path dir;

    /** ViT-Tiny-like but small: D=48, 4 blocks (1, 3 MoE), 64×128 → 33 tokens, E=16, top-2. */
    static ModelConfig config() {
        return ModelConfig.builder()
                .tasks(TaskSet.of(DatasetLayout.NYUD, Task.SEMSEG, Task.DEPTH))
                .imgSize(64, 128)
                .embedDim(48)
                .depth(4)
                .numHeads(3)
                .moeExperts(16)
                .moeTopK(2)
                .moeMlpRatio(2)
                .headChannels(16)
                .build();
    }

    @Test
    void everyScheduleDoesTheWorkFlopCounterCounts() throws Exception {
        ModelConfig c = config();
        HardwareProfile hw = HardwareProfile.load(Path.of("configs/hardware/zcu102.yml"));
        SimulationReport r =
                Simulator.run(c, Task.DEPTH, SyntheticRouting.parse("uniform").generate(c, 3, 7), hw, null);
        FlopCounter.Row row = new FlopCounter(c).pathway(Task.DEPTH, "");
        assertEquals(
                List.of("token_order", "all_resident", "reordered", "double_buffered"),
                List.copyOf(r.schedules().keySet()));
        for (ScheduleResult s : r.schedules().values()) {
            assertEquals(row.backboneMacs() + row.headMacs(), s.total().macs(), s.schedule());
            assertEquals(row.backboneMacs(), s.backbone().macs(), s.schedule());
            assertEquals(c.depth() + 2, s.layers().size(), "patch_embed, every block, head");
            assertTrue(s.total().stallCycles() >= 0 && s.total().computeCycles() > 0);
        }
        double reordered = r.schedule("reordered").total().cycles();
        assertTrue(r.schedule("double_buffered").total().cycles() <= reordered);
        assertTrue(r.schedule("token_order").total().offchipBytes()
                >= r.schedule("reordered").total().offchipBytes());
        assertEquals(
                (double) r.schedule("all_resident").onchipBytes()
                        / r.schedule("double_buffered").onchipBytes(),
                r.memoryRatio(false));
        assertTrue(r.energyEfficiencyOver("token_order", true) >= 1, "double buffering beats token order");

        Map<String, Object> json = r.toJson();
        for (String key : new String[] {"hardware", "model", "schedules", "task_switch", "ratios"}) {
            assertTrue(json.containsKey(key), key);
        }
        TaskSwitch sw = r.taskSwitch();
        assertEquals(2L * 48 * 16 * 2, sw.routerBytes(), "two MoE blocks' (D, E) gates at 16 bits");
        assertEquals(sw.denseBytes(), sw.headBytes(), "the same head either way");

        Path png = dir.resolve("plot/stall.png");
        StallChart.write(r, png);
        assertEquals(1600, ImageIO.read(png.toFile()).getWidth());
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void syntheticRoutingIsSeededAndZipfConcentrates() {
        ModelConfig c = config();
        Routing a = SyntheticRouting.parse("uniform").generate(c, 2, 3);
        Routing b = SyntheticRouting.parse("uniform").generate(c, 2, 3);
        Routing other = SyntheticRouting.parse("uniform").generate(c, 2, 4);
        assertArrayEquals(a.images().get(1).queueLengths()[1], b.images().get(1).queueLengths()[1]);
        assertFalse(Arrays.deepEquals(
                a.images().get(0).queueLengths(), other.images().get(0).queueLengths()));
        for (Routing.Image im : a.images()) {
            for (int[] q : im.queueLengths()) {
                assertEquals(2 * 33, Arrays.stream(q).sum(), "every token in k queues");
            }
        }
        // The hottest expert's share over many images: about 1/E·k-ish for uniform, far more for zipf:2.
        assertTrue(hottestShare(SyntheticRouting.parse("zipf:2").generate(c, 20, 1))
                > 2 * hottestShare(SyntheticRouting.parse("uniform").generate(c, 20, 1)));
    }

    private static double hottestShare(Routing r) {
        long[] total = new long[16];
        long all = 0;
        for (Routing.Image im : r.images()) {
            for (int e = 0; e < 16; e++) {
                total[e] += im.queueLengths()[0][e];
                all += im.queueLengths()[0][e];
            }
        }
        return (double) Arrays.stream(total).max().orElse(0) / all;
    }
}
