package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.m3vit.nn.Checks;

/**
 * Routing on a discrete label rather than on data: the modality of each token (Uni-Perceiver-MoE
 * modality level) or the task being run (task level). The gate scores one one-hot row per label
 * value, so its weight matrix is a learned (labels × experts) logit table and every token with the
 * same label shares one decision.
 */
public final class OneHotCondition extends RoutingCondition {

    /** Which label the router sees. */
    public enum Label {
        MODALITY("modality"),
        TASK("task");

        final String id;

        Label(String id) {
            this.id = id;
        }
    }

    private final Label label;
    private final int values;

    public OneHotCondition(Label label, int values) {
        Checks.positive(label == Label.TASK ? "number of tasks" : "number of modalities", values);
        this.label = label;
        this.values = values;
    }

    @Override
    public long featureDim() {
        return values;
    }

    @Override
    public String id() {
        return label.id;
    }

    @Override
    public RouterInput features(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        var manager = x.getManager();
        NDArray rows = manager.eye(values).toType(x.getDataType(), false).toDevice(x.getDevice(), false);
        NDArray rowOfToken;
        if (label == Label.TASK) {
            int task = ctx.taskId(values, "task-level routing");
            long tokens = x.getShape().get(0) * x.getShape().get(1);
            rows = rows.get(task).expandDims(0);
            rowOfToken = manager.zeros(new Shape(tokens), DataType.INT64).toDevice(x.getDevice(), false);
        } else {
            rowOfToken = perTokenIds(ctx.modality("modality-level routing"), x, "modality ids");
            long[] range = HostSync.readLongs(
                    rowOfToken.min().expandDims(0).concat(rowOfToken.max().expandDims(0)));
            long min = range[0];
            long max = range[1];
            if (min < 0 || max >= values) {
                throw new IllegalArgumentException(
                        "modality ids must be in [0, " + values + "), got range [" + min + ", " + max + "]");
            }
        }
        return new RouterInput(rows, rowOfToken);
    }
}
