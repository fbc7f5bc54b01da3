package org.m3vit.task.dense;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.DenseMetrics;
import org.m3vit.task.LossOptions;
import org.m3vit.task.MainMetric;
import org.m3vit.task.SavedPrediction;

/** Semantic edges: balanced BCE with the config's fixed positive weight; scored by odsF ({@link EdgeMetrics}). */
public final class EdgeSpec extends BinaryMapSpec {

    @Override
    public String id() {
        return "edge";
    }

    @Override
    public MainMetric mainMetric() {
        return MainMetric.fraction("odsF");
    }

    @Override
    public NDArray loss(NDArray prediction, NDArray target, LossOptions options) {
        return Losses.balancedBce(prediction, target, options.edgePosWeight());
    }

    @Override
    public float defaultLossWeight(DatasetLayout dataset) {
        return 50f;
    }

    @Override
    public DenseMetrics newMetrics(DatasetLayout dataset) {
        return new EdgeF();
    }

    /** odsF; a named class so that it serialises (see {@link DenseMetrics}). */
    private static final class EdgeF implements DenseMetrics {
        private static final long serialVersionUID = 1L;
        private final EdgeMetrics edge = new EdgeMetrics();

        @Override
        public void add(SavedPrediction prediction, float[] groundTruth) {
            edge.add(
                    DenseArrays.scale(prediction.values(), 1 / 255f),
                    DenseArrays.toInt(groundTruth),
                    prediction.height(),
                    prediction.width());
        }

        @Override
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("odsF", edge.odsF());
            return m;
        }

        @Override
        public void merge(DenseMetrics other) {
            edge.merge(DenseMetrics.sameKind(EdgeF.class, other).edge);
        }
    }
}
