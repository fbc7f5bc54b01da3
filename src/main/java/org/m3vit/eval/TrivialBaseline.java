package org.m3vit.eval;

import java.io.IOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.task.Task;

/**
 * The trivial predictor a trained model has to beat: one constant per task, fitted on the train split
 * and predicted at every pixel. Semseg and human parts: the most frequent class; saliency and edges:
 * the positive rate as probability; normals: the mean normal direction; depth: the mean depth. Scored
 * exactly like a model's saved predictions ({@link TaskScorer}, with the reference's skip rules).
 */
public final class TrivialBaseline {

    private final Map<Task, float[]> constants;

    private TrivialBaseline(Map<Task, float[]> constants) {
        this.constants = constants;
    }

    /** Fits the constants on every image of {@code train}. */
    public static TrivialBaseline fit(MultiTaskReader train) throws IOException {
        Map<Task, double[]> sums = new EnumMap<>(Task.class);
        Map<Task, long[]> counts = new EnumMap<>(Task.class);
        for (Task t : train.tasks()) {
            sums.put(t, new double[t.isClassMap() ? train.classes(t) : t.targetChannels()]);
            counts.put(t, new long[1]);
        }
        for (int i = 0; i < train.size(); i++) {
            RawSample s = train.read(i);
            for (Task t : train.tasks()) {
                if (TaskScorer.skips(t, s.target(t))) {
                    continue;
                }
                accumulate(t, s.target(t), sums.get(t), counts.get(t));
            }
        }
        Map<Task, float[]> constants = new EnumMap<>(Task.class);
        sums.forEach((t, sum) -> constants.put(t, constant(t, sum, counts.get(t)[0])));
        return new TrivialBaseline(constants);
    }

    private static void accumulate(Task t, float[] gt, double[] sum, long[] count) {
        int c = t.targetChannels();
        for (int p = 0; p < gt.length / c; p++) {
            float v = gt[p * c];
            boolean valid = switch (t) {
                case NORMALS -> gt[p * c] != 0 || gt[p * c + 1] != 0 || gt[p * c + 2] != 0;
                case DEPTH -> v != 0 && v != Task.IGNORE;
                default -> v != Task.IGNORE;
            };
            if (!valid) {
                continue;
            }
            if (t.isClassMap()) {
                sum[(int) v]++; // class histogram
            } else {
                for (int k = 0; k < c; k++) {
                    sum[k] += gt[p * c + k];
                }
            }
            count[0]++;
        }
    }

    /** The per-pixel value in saved-prediction form (see {@link SavedPrediction}). */
    private static float[] constant(Task t, double[] sum, long count) {
        switch (t) {
            case SEMSEG:
            case HUMAN_PARTS: {
                int best = 0;
                for (int k = 1; k < sum.length; k++) {
                    best = sum[k] > sum[best] ? k : best;
                }
                return new float[] {best};
            }
            case SAL:
            case EDGE:
                return new float[] {(float) Math.floor(255 * sum[0] / Math.max(count, 1))};
            case NORMALS: {
                double norm = Math.sqrt(sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]);
                float[] n = new float[3];
                for (int k = 0; k < 3; k++) {
                    double unit = norm == 0 ? (k == 2 ? 1 : 0) : sum[k] / norm;
                    n[k] = (float) Math.floor(255 * (unit + 1) / 2);
                }
                return n;
            }
            default:
                return new float[] {(float) (sum[0] / Math.max(count, 1))};
        }
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
            scorers.put(t, new TaskScorer(t, val.classes(t)));
        }
        for (int i = 0; i < val.size(); i++) {
            RawSample s = val.read(i);
            for (Task t : val.tasks()) {
                float[] gt = s.target(t);
                if (TaskScorer.skips(t, gt)) {
                    continue;
                }
                float[] c = constants.get(t);
                float[] values = new float[s.height() * s.width() * c.length];
                for (int p = 0; p < values.length; p++) {
                    values[p] = c[p % c.length];
                }
                scorers.get(t).add(new SavedPrediction(t, s.height(), s.width(), values), gt);
            }
        }
        Map<Task, Map<String, Double>> out = new LinkedHashMap<>();
        scorers.forEach((t, sc) -> out.put(t, sc.metrics()));
        return out;
    }
}
