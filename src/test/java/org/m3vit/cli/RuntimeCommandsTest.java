package org.m3vit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.TensorInfo;
import org.m3vit.model.FlopCounter;
import org.m3vit.runtime.ExpertTrace;
import org.m3vit.task.Task;

/**
 * The runtime from the command line: predict with streamed experts on the reference fixture equals the
 * resident output; its trace is what simulate reads and cross-checks; pack, and bad input exits 2.
 */
class RuntimeCommandsTest {

    private static final String FIXTURES = "src/test/resources/fixtures/";
    private static final String TINY = "configs/synth/vit_moe/tiny_pascal.yml";

    @TempDir
    Path dir;

    @Test
    void streamedPredictMatchesResidentOnTheReferenceFixture() throws Exception {
        Path x = dir.resolve("x.npy");
        try (SafetensorsFile io = SafetensorsFile.open(Path.of(FIXTURES + "multigate_io.safetensors"))) {
            TensorInfo in = io.info("input");
            int[] shape = Arrays.stream(in.shape()).mapToInt(Math::toIntExact).toArray();
            NpyFiles.writeFloat32(x, shape, io.floats("input"));
        }
        for (String task : new String[] {"semseg", "normals", "edge"}) {
            Path resident = dir.resolve(task + "_resident.npy");
            Path streamed = dir.resolve(task + "_streamed.npy");
            String[] common = {
                "predict",
                "--config",
                FIXTURES + "multigate.yml",
                "--weights",
                FIXTURES + "multigate_weights.safetensors",
                "--task",
                task,
                "--input",
                x.toString(),
                "--threads",
                "1"
            };
            CliRun a = CliRun.of(concat(common, "--out", resident.toString()));
            CliRun b = CliRun.of(concat(common, "--out", streamed.toString(), "--expert-buffers", "2"));
            assertEquals(0, a.exit, a.err);
            assertEquals(0, b.exit, b.err);
            NpyArray ya = NpyFiles.read(resident);
            NpyArray yb = NpyFiles.read(streamed);
            assertArrayEquals(ya.shape(), yb.shape());
            // float rounding only: resident small MoE layers run as one batched GEMM, streamed expert by expert
            assertArrayEquals(ya.data(), yb.data(), 1e-5f, task);
            assertTrue(b.err.contains("runtime: 2 expert buffers"), "the runtime reports itself: " + b.err);
        }
    }

    @Test
    void theTracePredictWritesIsWhatSimulateReadsAndItsBytesMatchTheAcceleratorModel() throws Exception {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, CliRun.of("init-weights", "--config", TINY, "--out", w.toString(), "--seed", "4").exit);
        Path x = dir.resolve("x.npy");
        float[] data = new float[3 * 3 * 64 * 64];
        Random r = new Random(8);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        NpyFiles.writeFloat32(x, new int[] {3, 3, 64, 64}, data);
        Path trace = dir.resolve("trace.json");
        CliRun p = CliRun.of(
                "predict",
                "--weights",
                w.toString(),
                "--task",
                "normals",
                "--input",
                x.toString(),
                "--out",
                dir.resolve("y.npy").toString(),
                "--expert-buffers",
                "2",
                "--trace",
                trace.toString(),
                "--threads",
                "1");
        assertEquals(0, p.exit, p.err);
        ExpertTrace t = ExpertTrace.read(trace);
        ModelConfig c = ConfigLoader.load(Path.of(TINY));
        assertEquals(3, t.images().size());
        // the queue lengths are those of a resident forward of the same images
        try (Predictor resident = Predictor.builder().weights(w).build()) {
            int per = 3 * 64 * 64;
            for (int i = 0; i < 3; i++) {
                float[] one = Arrays.copyOfRange(data, i * per, (i + 1) * per);
                Map<Integer, long[]> counts = resident.predictDetailed(
                                List.of(ModelInput.normalised(one, 3, 64, 64)), Task.NORMALS)
                        .expertCounts();
                for (ExpertTrace.Layer l : t.images().get(i).layers()) {
                    assertArrayEquals(
                            counts.get(l.block()),
                            l.queueLengths().stream()
                                    .mapToLong(Integer::longValue)
                                    .toArray(),
                            "image " + i + " block " + l.block());
                }
            }
        }
        long expertBytes = 4 * FlopCounter.params(new FlopCounter(c).expertOps(1));
        for (ExpertTrace.Image im : t.images()) {
            assertEquals("normals", im.task());
            assertEquals(
                    c.moeLayers(),
                    im.layers().stream().map(ExpertTrace.Layer::block).toList());
            for (ExpertTrace.Layer l : im.layers()) {
                assertEquals(
                        (long) c.moeTopK() * t.tokens(),
                        l.queueLengths().stream().mapToLong(Integer::longValue).sum());
                long nonEmpty = l.queueLengths().stream().filter(n -> n > 0).count();
                // two buffers: every non-empty expert is loaded once per layer call, nothing else
                assertEquals(nonEmpty * expertBytes, l.bytesLoaded(), im.id() + " block " + l.block());
            }
        }
        CliRun sim = CliRun.of(
                "simulate",
                "--config",
                TINY,
                "--hardware",
                "configs/hardware/zcu102.yml",
                "--trace",
                trace.toString(),
                "--task",
                "normals",
                "--json");
        assertEquals(0, sim.exit, sim.err);
        JsonObject cc =
                JsonParser.parseString(sim.out.strip()).getAsJsonObject().getAsJsonObject("trace_cross_check");
        int layers = 3 * c.moeLayers().size();
        assertEquals(layers, cc.get("layers_compared").getAsInt());
        assertEquals(layers, cc.get("layers_matching").getAsInt(), sim.out);
    }

    @Test
    void packWritesAnArtifactPredictAcceptsAndBadBudgetsExitTwo() throws Exception {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, CliRun.of("init-weights", "--config", TINY, "--out", w.toString(), "--seed", "5").exit);
        Path packed = dir.resolve("p.safetensors");
        CliRun pack = CliRun.of("pack", "--weights", w.toString(), "--out", packed.toString());
        assertEquals(0, pack.exit, pack.err);
        assertTrue(pack.out.contains("2 expert layers, 8 experts"), pack.out);
        Path x = dir.resolve("x.npy");
        NpyFiles.writeFloat32(x, new int[] {1, 3, 64, 64}, new float[3 * 64 * 64]);
        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        assertEquals(0, CliRun.of(predict(w, x, a)).exit);
        CliRun s = CliRun.of(concat(predict(packed, x, b), "--memory-budget", "64MiB"));
        assertEquals(0, s.exit, s.err);
        assertArrayEquals(NpyFiles.read(a).data(), NpyFiles.read(b).data(), 1e-5f);

        CliRun small = CliRun.of(concat(predict(packed, x, dir.resolve("c.npy")), "--memory-budget", "10KiB"));
        assertEquals(2, small.exit);
        assertTrue(small.err.contains("memory budget: 10.0 KiB (10240 bytes) is too small"), small.err);
        assertFalse(Files.exists(dir.resolve("c.npy")));
        CliRun one = CliRun.of(concat(predict(packed, x, dir.resolve("d.npy")), "--expert-buffers", "1"));
        assertEquals(2, one.exit);
        assertTrue(one.err.contains("expert buffers: must be >= 2"), one.err);
    }

    private static String[] predict(Path weights, Path x, Path out) {
        return new String[] {
            "predict",
            "--weights",
            weights.toString(),
            "--task",
            "semseg",
            "--input",
            x.toString(),
            "--out",
            out.toString(),
            "--threads",
            "1"
        };
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
