package org.m3vit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/**
 * {@code m3vit eval} writes the results layout and {@code m3vit score} on that directory gives the same
 * numbers. The data is 40x56 while the tiny configs run at 64x64, so predictions are resized back.
 */
class EvalScoreRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void pascalEvalThenScoreAgree() throws Exception {
        roundTrip("pascal", "configs/synth/vit_moe/tiny_pascal.yml", "semseg,human_parts,sal,normals,edge");
    }

    @Test
    void nyudEvalThenScoreAgree() throws Exception {
        roundTrip("nyud", "configs/synth/vit_moe/tiny_nyud.yml", "semseg,depth");
    }

    private void roundTrip(String db, String config, String tasks) throws Exception {
        Path data = dir.resolve("data");
        assertEquals(
                0,
                CliRun.of(
                                "synth",
                                "--layout",
                                db,
                                "--n",
                                "10",
                                "--size",
                                "40x56",
                                "--seed",
                                "2",
                                "--split-val",
                                "0.5",
                                "--threads",
                                "1",
                                "--out",
                                data.toString())
                        .exit);
        Path w = dir.resolve("run").resolve("w.safetensors");
        Files.createDirectories(w.getParent());
        assertEquals(0, CliRun.of("init-weights", "--config", config, "--out", w.toString(), "--seed", "5").exit);

        CliRun eval = CliRun.of(
                "eval",
                "--config",
                config,
                "--weights",
                w.toString(),
                "--data-root",
                data.toString(),
                "--batch-size",
                "3",
                "--threads",
                "1");
        assertEquals(0, eval.exit, eval.err);
        Path results = dir.resolve("run").resolve("results"); // the default: next to the weights
        JsonObject e = JsonParser.parseString(eval.out.trim()).getAsJsonObject();
        assertTrue(e.has("delta_m") && Double.isFinite(e.get("delta_m").getAsDouble()), e.toString());
        assertEquals(e, JsonParser.parseString(Files.readString(results.resolve("metrics.json"))));

        MultiTaskReader reader = MultiTaskReader.open(DatasetLayout.parse(db), data, Split.VAL);
        for (String t : tasks.split(",")) {
            Path f = PredictionFiles.path(
                    results, Task.parse(t).spec(), reader.ids().get(0));
            assertTrue(Files.isRegularFile(f), f + " written");
            SavedPrediction p = PredictionFiles.read(
                    results, Task.parse(t).spec(), reader.ids().get(0));
            assertEquals(40, p.height());
            assertEquals(56, p.width());
        }
        JsonObject usage = JsonParser.parseString(Files.readString(results.resolve("expert_usage.json")))
                .getAsJsonObject();
        assertFalse(usage.keySet().isEmpty(), "a MoE model reports expert usage");

        CliRun score = CliRun.of(
                "score", "--db", db, "--root", data.toString(), "--pred", results.toString(), "--tasks", tasks);
        assertEquals(0, score.exit, score.err);
        JsonObject s = JsonParser.parseString(score.out.trim()).getAsJsonObject();
        assertEquals(tasks.split(",").length, s.keySet().size());
        for (Map.Entry<String, JsonElement> task : s.entrySet()) {
            for (Map.Entry<String, JsonElement> m :
                    task.getValue().getAsJsonObject().entrySet()) {
                double want = e.getAsJsonObject(task.getKey()).get(m.getKey()).getAsDouble();
                // eval scores the same uint8/float32 values it saves, so only summation order may differ
                assertEquals(
                        want,
                        m.getValue().getAsDouble(),
                        1e-6 * Math.max(1, Math.abs(want)),
                        task.getKey() + "." + m.getKey());
            }
        }
    }
}
