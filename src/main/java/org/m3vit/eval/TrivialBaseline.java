package org.m3vit.eval;

import java.io.IOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.task.ConstantFit;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/**
 * The trivial predictor a trained model has to beat: one constant per task, fitted on the train split
 * and predicted at every pixel. Each task fits its own constant ({@link ConstantFit}): for the built-in
 * tasks the most frequent class (semseg, human parts), the positive rate as probability (saliency,
 * edges), the mean normal direction (normals) and the mean depth. Scored exactly like a model's saved
 * predictions ({@link TaskScorer}, with the reference's skip rules).
 */
public final class TrivialBaseline {

    private final Map<Task, float[]> constants;

    private TrivialBaseline(Map<Task, float[]> constants) {
        this.constants = constants;
    }

    /** Fits the constants on every image of {@code train}. */
    public static TrivialBaseline fit(MultiTaskReader train) throws IOException {
        Map<Task, ConstantFit> fits = new EnumMap<>(Task.class);
        for (Task t : train.tasks()) {
            fits.put(t, t.spec().newConstantFit(train.layout()));
        }
        for (int i = 0; i < train.size(); i++) {
            RawSample s = train.read(i);
            for (Task t : train.tasks()) {
                if (!t.spec().skips(s.target(t))) {
                    fits.get(t).add(s.target(t));
                }
            }
        }
        Map<Task, float[]> constants = new EnumMap<>(Task.class);
        fits.forEach((t, fit) -> constants.put(t, fit.constant()));
        return new TrivialBaseline(constants);
    }

    /** The constant predicted for {@code task} at every pixel, in saved-prediction form. */
    public float[] constant(Task task) {
        float[] c = constants.get(task);
        if (c == null) {
            throw new IllegalArgumentException("the baseline was not fitted for " + task.id());
        }
        return c.clone();
    }

    /** Scores the constant predictions on every image of {@code val}; task → metric → value. */
    public Map<Task, Map<String, Double>> evaluate(MultiTaskReader val) throws IOException {
        Map<Task, TaskScorer> scorers = new EnumMap<>(Task.class);
        for (Task t : val.tasks()) {
            constant(t);
            scorers.put(t, new TaskScorer(t.spec(), val.layout()));
        }
        for (int i = 0; i < val.size(); i++) {
            RawSample s = val.read(i);
            for (Task t : val.tasks()) {
                float[] gt = s.target(t);
                if (t.spec().skips(gt)) {
                    continue;
                }
                float[] c = constants.get(t);
                float[] values = new float[s.height() * s.width() * c.length];
                for (int p = 0; p < values.length; p++) {
                    values[p] = c[p % c.length];
                }
                scorers.get(t).add(new SavedPrediction(t.spec(), s.height(), s.width(), values), gt);
            }
        }
        Map<Task, Map<String, Double>> out = new LinkedHashMap<>();
        scorers.forEach((t, sc) -> out.put(t, sc.metrics()));
        return out;
    }
}
