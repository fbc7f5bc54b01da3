package org.m3vit.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/**
 * Scores a results directory ({@link PredictionFiles} layout) against a split's raw ground truth. Every
 * prediction file is checked before anything is scored, so a partial directory fails at once with the
 * missing files named. Images the reference skips ({@link org.m3vit.task.DenseTaskSpec#skips}) need no file.
 */
public final class SavedPredictionScorer {

    /** How many missing files an error message lists before summarising the rest as a count. */
    static final int LISTED_MISSING = 10;

    private SavedPredictionScorer() {}

    public static Map<Task, Map<String, Double>> score(
            MultiTaskReader reader, Path predictions, List<Task> tasks, Consumer<String> progress) throws IOException {
        if (!Files.isDirectory(predictions)) {
            throw new IllegalArgumentException(predictions + ": prediction directory not found");
        }
        requireFiles(reader, predictions, tasks);
        Map<Task, TaskScorer> scorers = new EnumMap<>(Task.class);
        for (Task t : tasks) {
            scorers.put(t, new TaskScorer(t.spec(), reader.layout()));
        }
        for (int i = 0; i < reader.size(); i++) {
            RawSample raw = reader.read(i);
            for (Task t : tasks) {
                float[] gt = raw.target(t);
                if (t.spec().skips(gt)) {
                    continue;
                }
                SavedPrediction p = PredictionFiles.read(predictions, t.spec(), raw.id());
                if (p.height() != raw.height() || p.width() != raw.width()) {
                    throw new IllegalArgumentException(PredictionFiles.path(predictions, t.spec(), raw.id()) + ": size "
                            + p.height() + "x" + p.width() + " differs from the ground truth's " + raw.height() + "x"
                            + raw.width());
                }
                scorers.get(t).add(p, gt);
            }
            progress.accept("score " + (i + 1) + "/" + reader.size());
        }
        Map<Task, Map<String, Double>> out = new LinkedHashMap<>();
        scorers.forEach((t, s) -> out.put(t, s.metrics()));
        return out;
    }

    private static void requireFiles(MultiTaskReader reader, Path predictions, List<Task> tasks) throws IOException {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < reader.size(); i++) {
            String id = reader.ids().get(i);
            RawSample raw = null;
            for (Task t : tasks) {
                Path f = PredictionFiles.path(predictions, t.spec(), id);
                if (Files.isRegularFile(f)) {
                    continue;
                }
                // the reference saves nothing for images it skips; read the ground truth only when needed
                raw = raw == null ? reader.read(i) : raw;
                if (!t.spec().skips(raw.target(t))) {
                    missing.add(f.toString());
                }
            }
        }
        if (!missing.isEmpty()) {
            List<String> shown = missing.subList(0, Math.min(LISTED_MISSING, missing.size()));
            throw new IllegalArgumentException(missing.size() + " prediction file(s) missing: "
                    + String.join(", ", shown)
                    + (missing.size() > shown.size() ? " and " + (missing.size() - shown.size()) + " more" : ""));
        }
    }
}
