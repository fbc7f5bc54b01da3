package org.m3vit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.data.Split;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/** {@code m3vit score} on prediction directories built by hand from the ground truth. */
class ScoreCommandTest {

    @TempDir
    static Path dir;

    static Path pascal;
    static Path nyud;

    @BeforeAll
    static void synthesise() {
        pascal = dir.resolve("pascal");
        nyud = dir.resolve("nyud");
        // non-square so a transposed prediction would not even have the right size
        assertEquals(
                0,
                CliRun.of(
                                "synth",
                                "--layout",
                                "pascal",
                                "--n",
                                "12",
                                "--size",
                                "40x56",
                                "--seed",
                                "4",
                                "--split-val",
                                "0.5",
                                "--threads",
                                "1",
                                "--out",
                                pascal.toString())
                        .exit);
        assertEquals(
                0,
                CliRun.of(
                                "synth",
                                "--layout",
                                "nyud",
                                "--n",
                                "6",
                                "--size",
                                "40x56",
                                "--seed",
                                "4",
                                "--split-val",
                                "0.5",
                                "--threads",
                                "1",
                                "--out",
                                nyud.toString())
                        .exit);
    }

    /** Writes the ground truth itself as predictions in the results layout; depth shifted by {@code depthOffset}. */
    static Path perfect(DatasetLayout layout, Path root, Path out, float depthOffset) throws Exception {
        MultiTaskReader r = MultiTaskReader.open(layout, root, Split.VAL);
        for (int i = 0; i < r.size(); i++) {
            RawSample s = r.read(i);
            for (Task t : r.tasks()) {
                float[] gt = s.target(t);
                float[] v = new float[gt.length];
                for (int k = 0; k < gt.length; k++) {
                    float g = gt[k];
                    switch (t) {
                        case SEMSEG, HUMAN_PARTS -> v[k] = g == Task.IGNORE ? 0 : g;
                        case SAL, EDGE -> v[k] = g == 1 ? 255 : 0;
                        case NORMALS -> v[k] = Math.round(255 * (g + 1) / 2);
                        default -> v[k] = g + depthOffset;
                    }
                }
                PredictionFiles.write(out, s.id(), new SavedPrediction(t.spec(), s.height(), s.width(), v));
            }
        }
        return out;
    }

    /** mIoU of a perfect prediction: classes absent from the ground truth have IoU 0, so present/classes. */
    static double presentFraction(DatasetLayout layout, Path root, Task task) throws Exception {
        MultiTaskReader r = MultiTaskReader.open(layout, root, Split.VAL);
        Set<Integer> present = new TreeSet<>();
        for (int i = 0; i < r.size(); i++) {
            float[] gt = r.read(i).target(task);
            if (task.spec().skips(gt)) {
                continue;
            }
            for (float g : gt) {
                if (g != Task.IGNORE) {
                    present.add((int) g);
                }
            }
        }
        return present.size() / (double) r.classes(task);
    }

    @Test
    void perfectPascalPredictionsScorePerfectly() throws Exception {
        Path pred = perfect(DatasetLayout.PASCAL, pascal, dir.resolve("pred-pascal"), 0);
        CliRun run = CliRun.of(
                "score",
                "--db",
                "pascal",
                "--root",
                pascal.toString(),
                "--pred",
                pred.toString(),
                "--tasks",
                "sal,semseg,human_parts,normals,edge");
        assertEquals(0, run.exit, run.err);
        JsonObject j = JsonParser.parseString(run.out.trim()).getAsJsonObject();
        assertEquals("[semseg, human_parts, sal, normals, edge]", j.keySet().toString(), "reference task order");
        assertEquals(
                presentFraction(DatasetLayout.PASCAL, pascal, Task.SEMSEG),
                j.getAsJsonObject("semseg").get("mIoU").getAsDouble(),
                1e-9);
        assertEquals(
                presentFraction(DatasetLayout.PASCAL, pascal, Task.HUMAN_PARTS),
                j.getAsJsonObject("human_parts").get("mIoU").getAsDouble(),
                1e-9);
        assertEquals(1.0, j.getAsJsonObject("sal").get("maxF").getAsDouble(), 1e-6);
        assertEquals(1.0, j.getAsJsonObject("sal").get("mIoU").getAsDouble(), 1e-9);
        assertEquals(1.0, j.getAsJsonObject("edge").get("odsF").getAsDouble(), 1e-9);
        JsonObject n = j.getAsJsonObject("normals");
        // uint8 quantisation of a unit vector moves it by at most ~0.4 degrees
        assertTrue(n.get("mean").getAsDouble() < 0.5, n.toString());
        assertTrue(n.get("median").getAsDouble() < 0.5, n.toString());
        assertEquals(100.0, n.get("11.25").getAsDouble(), 1e-9);
        assertEquals(100.0, n.get("30").getAsDouble(), 1e-9);
    }

    @Test
    void depthErrorIsTheOffsetAndOnlyRequestedTasksArePrinted() throws Exception {
        Path pred = perfect(DatasetLayout.NYUD, nyud, dir.resolve("pred-nyud-exact"), 0);
        CliRun run = CliRun.of(
                "score", "--db", "nyud", "--root", nyud.toString(), "--pred", pred.toString(), "--tasks", "depth");
        assertEquals(0, run.exit, run.err);
        JsonObject j = JsonParser.parseString(run.out.trim()).getAsJsonObject();
        assertEquals(Set.of("depth"), j.keySet());
        assertEquals(0.0, j.getAsJsonObject("depth").get("rmse").getAsDouble(), 0.0);
        assertEquals(0.0, j.getAsJsonObject("depth").get("log_rmse").getAsDouble(), 0.0);

        Path off = perfect(DatasetLayout.NYUD, nyud, dir.resolve("pred-nyud-off"), 0.5f);
        run = CliRun.of(
                "score",
                "--db",
                "nyud",
                "--root",
                nyud.toString(),
                "--pred",
                off.toString(),
                "--tasks",
                "depth,semseg,normals");
        assertEquals(0, run.exit, run.err);
        j = JsonParser.parseString(run.out.trim()).getAsJsonObject();
        assertEquals(0.5, j.getAsJsonObject("depth").get("rmse").getAsDouble(), 1e-6);
        assertEquals(
                presentFraction(DatasetLayout.NYUD, nyud, Task.SEMSEG),
                j.getAsJsonObject("semseg").get("mIoU").getAsDouble(),
                1e-9);
    }

    @Test
    void missingPredictionsAreNamedAndExitTwo() throws Exception {
        Path pred = perfect(DatasetLayout.NYUD, nyud, dir.resolve("pred-nyud-partial"), 0);
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.NYUD, nyud, Split.VAL);
        Path gone1 = PredictionFiles.path(pred, Task.DEPTH.spec(), r.ids().get(0));
        Path gone2 = PredictionFiles.path(pred, Task.SEMSEG.spec(), r.ids().get(r.size() - 1));
        Files.delete(gone1);
        Files.delete(gone2);
        CliRun run = CliRun.of(
                "score",
                "--db",
                "nyud",
                "--root",
                nyud.toString(),
                "--pred",
                pred.toString(),
                "--tasks",
                "semseg,depth");
        assertEquals(2, run.exit);
        assertTrue(
                run.err.contains(gone1.toString())
                        && run.err.contains(gone2.toString())
                        && run.err.contains("2 prediction file(s) missing"),
                run.err);
        assertEquals("", run.out);
        // a task nobody asked for is not required
        run = CliRun.of(
                "score", "--db", "nyud", "--root", nyud.toString(), "--pred", pred.toString(), "--tasks", "normals");
        assertEquals(0, run.exit, run.err);
        run = CliRun.of(
                "score", "--db", "nyud", "--root", nyud.toString(), "--pred", pred.toString(), "--tasks", "sal");
        assertEquals(2, run.exit);
        assertTrue(run.err.contains("sal"), run.err);
    }
}
