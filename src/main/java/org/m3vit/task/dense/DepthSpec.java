package org.m3vit.task.dense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.task.ConstantFit;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.DenseMetrics;
import org.m3vit.task.DenseTaskSpec;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.LossOptions;
import org.m3vit.task.MainMetric;
import org.m3vit.task.PredictionFormat;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/**
 * Depth in metres, 0 where missing: L1 on valid pixels, predicted raw and resized bilinearly, saved as
 * float32 .npy, scored by RMSE and log-RMSE.
 */
public final class DepthSpec implements DenseTaskSpec {

    @Override
    public String id() {
        return "depth";
    }

    /** RMSE in metres; 0.05 m is the smallest clear improvement. */
    @Override
    public MainMetric mainMetric() {
        return new MainMetric("rmse", false, 0.05, "%.4f");
    }

    @Override
    public int targetChannels() {
        return 1;
    }

    @Override
    public boolean isClassMap() {
        return false;
    }

    @Override
    public int outputChannels(DatasetLayout dataset) {
        return 1;
    }

    /** Zooming in by s brings the scene closer by s (the reference's ScaleNRotate divides depth by s). */
    @Override
    public void afterScaleRotate(float[] hwc, double angleDeg, double scale) {
        for (int i = 0; i < hwc.length; i++) {
            hwc[i] /= (float) scale;
        }
    }

    /** Missing depth (0) becomes ignore (255). */
    @Override
    public float[] toTarget(float[] hwc, int height, int width) {
        float[] d = hwc.clone();
        for (int p = 0; p < height * width; p++) {
            if (d[p] == 0) {
                d[p] = Task.IGNORE;
            }
        }
        return d;
    }

    @Override
    public NDArray loss(NDArray prediction, NDArray target, LossOptions options) {
        return Losses.depthL1(prediction, target);
    }

    @Override
    public float defaultLossWeight(DatasetLayout dataset) {
        return 1f;
    }

    @Override
    public NDArray randomTarget(NDManager manager, int batch, int channels, int height, int width) {
        return manager.randomUniform(0.5f, 10f, new Shape(batch, 1, height, width));
    }

    /** The reference scores every image; the metric itself leaves out pixels without depth. */
    @Override
    public boolean skips(float[] groundTruth) {
        return false;
    }

    /** Raw metres, resized bilinearly. */
    @Override
    public SavedPrediction decode(HeadOutput output, int height, int width) {
        float[] out = output.requireChannels(id(), 1).values();
        return new SavedPrediction(
                this,
                height,
                width,
                ResizeBack.bilinear(out.clone(), output.height(), output.width(), 1, height, width));
    }

    @Override
    public PredictionFormat savedFormat() {
        return PredictionFormat.FLOAT32_NPY;
    }

    @Override
    public DenseMetrics newMetrics(DatasetLayout dataset) {
        return new DepthErrors();
    }

    /** The mean valid depth of the train split. */
    @Override
    public ConstantFit newConstantFit(DatasetLayout dataset) {
        return new ValidPixelSums(1, (gt, p, c) -> gt[p * c] != 0 && gt[p * c] != Task.IGNORE, (sum, count) ->
                new float[] {(float) (sum[0] / Math.max(count, 1))});
    }

    /** Min–max scaled to grey over the image. */
    @Override
    public BufferedImage render(HeadOutput output) {
        float[] out = output.values();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < output.plane(); i++) {
            min = Math.min(min, out[i]);
            max = Math.max(max, out[i]);
        }
        float lo = min;
        float hi = max;
        return Renderings.image(
                output.height(), output.width(), p -> Renderings.grey(hi > lo ? 255.0 * (out[p] - lo) / (hi - lo) : 0));
    }

    @Override
    public HeadOutput groundTruthAsOutput(float[] groundTruth, int channels, int height, int width) {
        int plane = height * width;
        float[] out = new float[channels * plane];
        System.arraycopy(groundTruth, 0, out, 0, plane);
        return new HeadOutput(out, channels, height, width);
    }

    /** RMSE and log-RMSE; a named class so that it serialises (see {@link DenseMetrics}). */
    private static final class DepthErrors implements DenseMetrics {
        private static final long serialVersionUID = 1L;
        private final DepthMetrics depth = new DepthMetrics();

        @Override
        public void add(SavedPrediction prediction, float[] groundTruth) {
            depth.add(prediction.values(), groundTruth);
        }

        @Override
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("rmse", depth.rmse());
            m.put("log_rmse", depth.logRmse());
            return m;
        }

        @Override
        public void merge(DenseMetrics other) {
            depth.merge(DenseMetrics.sameKind(DepthErrors.class, other).depth);
        }
    }
}
