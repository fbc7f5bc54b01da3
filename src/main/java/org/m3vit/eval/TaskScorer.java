package org.m3vit.eval;

import java.util.Map;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.DenseMetrics;
import org.m3vit.task.DenseTaskSpec;
import org.m3vit.task.SavedPrediction;

/**
 * Accumulates one task's metrics from saved predictions against raw ground truth ((H, W, C) interleaved
 * as {@link org.m3vit.data.RawSample} stores it): the checks and the image count shared by every task
 * around the task's own {@link DenseMetrics}. Metric keys are those of the metrics JSON:
 * semseg/human_parts {mIoU}; sal {maxF, mIoU}; normals {mean, median, rmse, 11.25, 22.5, 30};
 * depth {rmse, log_rmse}; edge {odsF}.
 */
public final class TaskScorer {

    private final DenseTaskSpec spec;
    private final DenseMetrics metrics;
    private long images;

    public TaskScorer(DenseTaskSpec spec, DatasetLayout dataset) {
        this.spec = spec;
        this.metrics = spec.newMetrics(dataset);
    }

    public DenseTaskSpec spec() {
        return spec;
    }

    public long images() {
        return images;
    }

    /** Adds one image; the caller has already checked {@link DenseTaskSpec#skips}. */
    public void add(SavedPrediction p, float[] gt) {
        if (!p.spec().id().equals(spec.id())) {
            throw new IllegalArgumentException(
                    "scorer for " + spec.id() + " got a " + p.spec().id() + " prediction");
        }
        if (gt.length != p.values().length) {
            throw new IllegalArgumentException(spec.id() + ": prediction is " + p.height() + "x" + p.width()
                    + " but the ground truth has " + gt.length / spec.targetChannels() + " pixels");
        }
        metrics.add(p, gt);
        images++;
    }

    public Map<String, Double> metrics() {
        return metrics.metrics();
    }
}
