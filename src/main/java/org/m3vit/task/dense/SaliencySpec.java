package org.m3vit.task.dense;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.DenseMetrics;
import org.m3vit.task.LossOptions;
import org.m3vit.task.MainMetric;
import org.m3vit.task.SavedPrediction;

/** Saliency: balanced BCE weighted by each batch's own balance; scored by maxF and mIoU over thresholds. */
public final class SaliencySpec extends BinaryMapSpec {

    @Override
    public String id() {
        return "sal";
    }

    @Override
    public MainMetric mainMetric() {
        return MainMetric.fraction("mIoU");
    }

    @Override
    public NDArray loss(NDArray prediction, NDArray target, LossOptions options) {
        return Losses.balancedBce(prediction, target, null); // weight from the batch's own balance
    }

    @Override
    public float defaultLossWeight(DatasetLayout dataset) {
        return 5f;
    }

    @Override
    public DenseMetrics newMetrics(DatasetLayout dataset) {
        return new SaliencyScores();
    }

    /** maxF and mIoU; a named class so that it serialises (see {@link DenseMetrics}). */
    private static final class SaliencyScores implements DenseMetrics {
        private static final long serialVersionUID = 1L;
        private final SaliencyMetrics sal = new SaliencyMetrics();

        @Override
        public void add(SavedPrediction prediction, float[] groundTruth) {
            sal.add(DenseArrays.scale(prediction.values(), 1 / 255f), DenseArrays.toInt(groundTruth));
        }

        @Override
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("maxF", sal.maxF());
            m.put("mIoU", sal.meanIoU());
            return m;
        }

        @Override
        public void merge(DenseMetrics other) {
            sal.merge(DenseMetrics.sameKind(SaliencyScores.class, other).sal);
        }
    }
}
