package org.m3vit.eval;

import java.io.Serializable;
import java.util.Map;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.DenseMetrics;
import org.m3vit.task.DenseTaskSpec;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.TaskSpecs;

/**
 * Accumulates one task's metrics from saved predictions against raw ground truth ((H, W, C) interleaved
 * as {@link org.m3vit.data.RawSample} stores it): the checks and the image count shared by every task
 * around the task's own {@link DenseMetrics}. Metric keys are those of the metrics JSON:
 * semseg/human_parts {mIoU}; sal {maxF, mIoU}; normals {mean, median, rmse, 11.25, 22.5, 30};
 * depth {rmse, log_rmse}; edge {odsF}.
 *
 * <p>Scorers of disjoint parts of a split {@link #merge} into the scorer of the whole, and serialise (the
 * spec travels as its id and is looked up again in {@link TaskSpecs} on the other side).
 */
public final class TaskScorer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final transient DenseTaskSpec spec;
    private final String specId;
    private final DenseMetrics metrics;
    private long images;

    public TaskScorer(DenseTaskSpec spec, DatasetLayout dataset) {
        this(spec, spec.newMetrics(dataset), 0);
    }

    private TaskScorer(DenseTaskSpec spec, DenseMetrics metrics, long images) {
        this.spec = spec;
        this.specId = spec.id();
        this.metrics = metrics;
        this.images = images;
    }

    /** After deserialisation: the same accumulator with its spec looked up by id. */
    private Object readResolve() {
        return new TaskScorer(TaskSpecs.get(specId, DenseTaskSpec.class), metrics, images);
    }

    /** Adds the images {@code other} scored (the same task, on the same dataset) to this scorer. */
    public void merge(TaskScorer other) {
        if (!other.specId.equals(specId)) {
            throw new IllegalArgumentException("cannot merge a " + other.specId + " scorer into a " + specId + " one");
        }
        metrics.merge(other.metrics);
        images += other.images;
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
