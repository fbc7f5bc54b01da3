package org.m3vit.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.task.Task;
import org.m3vit.task.dense.DepthMetrics;
import org.m3vit.task.dense.EdgeMetrics;
import org.m3vit.task.dense.MeanIoU;
import org.m3vit.task.dense.NormalsMetrics;
import org.m3vit.task.dense.SaliencyMetrics;

/**
 * Accumulates one task's metrics from saved predictions against raw ground truth ((H, W, C) interleaved
 * as {@link org.m3vit.data.RawSample} stores it). Metric keys are those of the metrics JSON:
 * semseg/human_parts {mIoU}; sal {maxF, mIoU}; normals {mean, median, rmse, 11.25, 22.5, 30};
 * depth {rmse, log_rmse}; edge {odsF}.
 */
public final class TaskScorer {

    private final Task task;
    private final MeanIoU miou;
    private final SaliencyMetrics sal = new SaliencyMetrics();
    private final EdgeMetrics edge = new EdgeMetrics();
    private final NormalsMetrics normals = new NormalsMetrics();
    private final DepthMetrics depth = new DepthMetrics();
    private long images;

    /** @param classes class count for semseg/human_parts; ignored otherwise */
    public TaskScorer(Task task, int classes) {
        this.task = task;
        this.miou = task.isClassMap() ? new MeanIoU(classes) : null;
    }

    public Task task() {
        return task;
    }

    public long images() {
        return images;
    }

    /**
     * Whether the reference leaves this image out for this task: it neither saves nor scores label maps
     * that are entirely 255 (ignore), and human parts also skips images without any part (all 0).
     */
    public static boolean skips(Task task, float[] gt) {
        if (task == Task.NORMALS || task == Task.DEPTH) {
            return false;
        }
        boolean all255 = true;
        boolean all0 = true;
        for (float v : gt) {
            all255 &= v == Task.IGNORE;
            all0 &= v == 0f;
        }
        return all255 || (task == Task.HUMAN_PARTS && all0);
    }

    /** Adds one image; the caller has already checked {@link #skips}. */
    public void add(SavedPrediction p, float[] gt) {
        if (p.task() != task) {
            throw new IllegalArgumentException("scorer for " + task.id() + " got a " + p.task().id() + " prediction");
        }
        if (gt.length != p.values().length) {
            throw new IllegalArgumentException(task.id() + ": prediction is " + p.height() + "x" + p.width()
                    + " but the ground truth has " + gt.length / task.targetChannels() + " pixels");
        }
        float[] v = p.values();
        switch (task) {
            case SEMSEG:
            case HUMAN_PARTS:
                miou.add(toInt(v), toInt(gt));
                break;
            case SAL:
                sal.add(scale(v, 1 / 255f), toInt(gt));
                break;
            case EDGE:
                edge.add(scale(v, 1 / 255f), toInt(gt), p.height(), p.width());
                break;
            case NORMALS: {
                float[] n = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    n[i] = 2 * v[i] / 255f - 1;
                }
                normals.add(planar(n), planar(gt));
                break;
            }
            default:
                depth.add(v, gt);
        }
        images++;
    }

    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        switch (task) {
            case SEMSEG:
            case HUMAN_PARTS:
                m.put("mIoU", miou.mean());
                break;
            case SAL:
                m.put("maxF", sal.maxF());
                m.put("mIoU", sal.meanIoU());
                break;
            case EDGE:
                m.put("odsF", edge.odsF());
                break;
            case NORMALS:
                m.put("mean", normals.mean());
                m.put("median", normals.median());
                m.put("rmse", normals.rmse());
                m.put("11.25", normals.percentWithin11());
                m.put("22.5", normals.percentWithin22());
                m.put("30", normals.percentWithin30());
                break;
            default:
                m.put("rmse", depth.rmse());
                m.put("log_rmse", depth.logRmse());
        }
        return m;
    }

    /** The metric Δm uses: mIoU (semseg, human_parts, sal), odsF, normals mean angle, depth RMSE. */
    public static String mainMetric(Task task) {
        switch (task) {
            case EDGE:
                return "odsF";
            case NORMALS:
                return "mean";
            case DEPTH:
                return "rmse";
            default:
                return "mIoU";
        }
    }

    /** Whether a higher {@link #mainMetric} is better (mIoU, maxF, odsF) or worse (angles, depth errors). */
    public static boolean mainMetricHigherIsBetter(Task task) {
        return task != Task.NORMALS && task != Task.DEPTH;
    }

    private static int[] toInt(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(v[i]);
        }
        return out;
    }

    private static float[] scale(float[] v, float s) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * s;
        }
        return out;
    }

    /** (H, W, 3) interleaved → (3, H, W) planar, the layout {@link NormalsMetrics} takes. */
    private static float[] planar(float[] hwc) {
        int n = hwc.length / 3;
        float[] out = new float[hwc.length];
        for (int i = 0; i < n; i++) {
            out[i] = hwc[3 * i];
            out[n + i] = hwc[3 * i + 1];
            out[2 * n + i] = hwc[3 * i + 2];
        }
        return out;
    }
}
