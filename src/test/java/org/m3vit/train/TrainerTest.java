package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.eval.EvaluationResult;
import org.m3vit.eval.SplitEvaluator;
import org.m3vit.infer.Predictor;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.Tensor;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/** End-to-end training on a tiny synthetic PASCAL-layout dataset (32×32 images, a 2-block MoE ViT). */
class TrainerTest {

    @TempDir
    static Path data;

    static final Path CONFIG = Path.of("configs/synth/vit_moe/tiny_pascal.yml");

    @BeforeAll
    static void synthesize() throws IOException {
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 12, 32, 32, 3, 0.34, 2), data, i -> {});
    }

    static Map<String, Object> tiny(int epochs) {
        Map<String, Object> o = new HashMap<>();
        o.put("backbone_kwargs.img_size", List.of(32, 32));
        o.put("head_kwargs.img_size", List.of(32, 32));
        o.put("backbone_kwargs.depth", 2);
        o.put("head_kwargs.in_index", 1);
        o.put("backbone_kwargs.vmoe_noisy_std", 1.0); // gate noise on: a resumed run must redraw the same noise
        o.put("epochs", epochs);
        o.put("trBatch", 4);
        o.put("seed", 7);
        return o;
    }

    static TrainingLoop.Result train(
            Map<String, Object> overrides, Path runDir, Path resume, boolean validate, Integer stopAfter)
            throws IOException {
        TrainConfig c = TrainConfig.load(CONFIG, overrides);
        return TrainingRun.run(
                c, new TrainingRun.Options(data, runDir, resume, null, false, validate, stopAfter), s -> {}, s -> {});
    }

    static Path weights(Path runDir) throws IOException {
        return runDir.resolve(Checkpoint.readState(new RunLayout(runDir).checkpointJson()).weights);
    }

    @Test
    void resumedRunEndsWithBitIdenticalWeights(@TempDir Path tmp) throws IOException {
        Path straight = tmp.resolve("straight");
        train(tiny(2), straight, null, false, null);

        Path split = tmp.resolve("split");
        train(tiny(2), split, null, false, 1);
        assertEquals(1, Checkpoint.readState(new RunLayout(split).checkpointJson()).epoch);
        assertFalse(Files.readAllBytes(weights(split)).length == 0);
        train(tiny(2), split, split, false, null);

        Checkpoint.State a = Checkpoint.readState(new RunLayout(straight).checkpointJson());
        Checkpoint.State b = Checkpoint.readState(new RunLayout(split).checkpointJson());
        assertEquals(2, b.epoch);
        assertEquals(a.globalStep, b.globalStep);
        // every tensor bit-identical (the files' provenance metadata names their own run directories)
        try (SafetensorsFile x = SafetensorsFile.open(weights(straight));
                SafetensorsFile y = SafetensorsFile.open(weights(split))) {
            assertEquals(x.tensors().keySet(), y.tensors().keySet());
            for (String name : x.tensors().keySet()) {
                Tensor tx = x.read(name);
                Tensor ty = y.read(name);
                assertArrayEquals(tx.shape(), ty.shape(), name);
                if (tx.isFloat()) {
                    assertArrayEquals(tx.floats(), ty.floats(), name + ": 2 epochs straight vs 1 + resume + 1");
                } else {
                    assertArrayEquals(tx.longs(), ty.longs(), name);
                }
            }
            assertEquals(x.metadata().get("m3vit.config_hash"), y.metadata().get("m3vit.config_hash"));
            assertEquals("2", y.metadata().get("m3vit.epoch"));
            assertEquals(split.toString(), y.metadata().get("m3vit.source_run"));
        }
        assertArrayEquals(
                Files.readAllBytes(straight.resolve(a.optimizer)), Files.readAllBytes(split.resolve(b.optimizer)));
        // the first epoch's files were replaced by the second's
        assertEquals(
                3,
                Files.list(split)
                        .filter(p -> p.getFileName()
                                .toString()
                                .matches("(weights|optimizer)-epoch\\d+\\.safetensors|checkpoint\\.json"))
                        .count());
    }

    @Test
    void divergenceStopsTheRunAndKeepsTheLastCheckpoint(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        train(tiny(2), run, null, false, 1);
        Path w = weights(run);
        byte[] before = Files.readAllBytes(w);
        byte[] json = Files.readAllBytes(new RunLayout(run).checkpointJson());

        Map<String, Object> absurd = tiny(2);
        absurd.put("optimizer_kwargs.lr", 1e30);
        TrainingDivergedException e =
                assertThrows(TrainingDivergedException.class, () -> train(absurd, run, run, false, null));
        assertTrue(
                e.getMessage().matches("(?s)the (\\w+ loss|gradient norm) is (NaN|-?Infinity) at epoch 2 step \\d+.*"),
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(w));
        assertArrayEquals(json, Files.readAllBytes(new RunLayout(run).checkpointJson()));
    }

    @Test
    void lossFallsAndMetricsAreLogged(@TempDir Path tmp) throws IOException {
        Map<String, Object> o = tiny(6);
        o.put("optimizer_kwargs.lr", 0.01);
        o.put("trBatch", 2);
        Path run = tmp.resolve("run");
        train(o, run, null, true, null);
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(6, lines.size());
        double first = weightedLoss(JsonParser.parseString(lines.get(0)).getAsJsonObject());
        double last = weightedLoss(JsonParser.parseString(lines.get(5)).getAsJsonObject());
        assertTrue(last < 0.8 * first, "weighted train loss " + first + " -> " + last);
        JsonObject end = JsonParser.parseString(lines.get(5)).getAsJsonObject();
        assertTrue(
                end.has("delta_m")
                        && end.getAsJsonObject("val").getAsJsonObject("semseg").has("mIoU"),
                end.toString());
        // Metrics improve on the weights training started from (the same config and seed give the same init).
        TrainConfig config = TrainConfig.load(CONFIG, o);
        MultiTaskReader val = MultiTaskReader.open(
                DatasetLayout.PASCAL,
                data,
                Split.VAL,
                EnumSet.copyOf(config.model().tasks().tasks()));
        EvaluationResult untrained;
        try (NDManager m = NDManager.newBaseManager()) {
            untrained = new SplitEvaluator().run(Predictor.of(TrainingRun.newModel(config, m)), val, 4, s -> {}, null);
        }
        double normals0 = untrained.metrics().get(Task.NORMALS).get("mean");
        double normals = end.getAsJsonObject("val")
                .getAsJsonObject("normals")
                .get("mean")
                .getAsDouble();
        assertTrue(normals < normals0 - 5, "normals mean angle " + normals0 + "° untrained -> " + normals + "°");
        double deltaM = end.get("delta_m").getAsDouble();
        assertTrue(deltaM > untrained.deltaM() + 5, "delta-m " + untrained.deltaM() + " untrained -> " + deltaM);
        assertTrue(Files.isRegularFile(run.resolve("best.safetensors")));
        JsonObject usage = JsonParser.parseString(Files.readString(run.resolve("expert_usage.json")))
                .getAsJsonObject();
        // every task routes 8 train images × 5 tokens × top-2 through each MoE layer in an epoch
        long routed = 0;
        for (var c : usage.getAsJsonObject("sal").getAsJsonArray("1")) {
            routed += c.getAsLong();
        }
        assertEquals(8 * 5 * 2, routed);
    }

    private static double weightedLoss(JsonObject epoch) {
        Map<String, Double> w = Map.of("semseg", 1.0, "human_parts", 2.0, "sal", 5.0, "edge", 50.0, "normals", 10.0);
        double s = 0;
        for (var e : epoch.getAsJsonObject("train_loss").entrySet()) {
            s += w.get(e.getKey()) * e.getValue().getAsDouble();
        }
        return s;
    }
}
