package org.m3vit.task.dense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
 * A class-index map (semseg, human parts): cross-entropy on the logits, argmax decoding resized nearest,
 * saved as a palette PNG, scored by mIoU over all classes, drawn in the VOC colours.
 */
abstract class ClassMapSpec implements DenseTaskSpec {

    @Override
    public MainMetric mainMetric() {
        return MainMetric.fraction("mIoU");
    }

    @Override
    public int targetChannels() {
        return 1;
    }

    @Override
    public boolean isClassMap() {
        return true;
    }

    @Override
    public int outputChannels(DatasetLayout dataset) {
        return classes(dataset);
    }

    @Override
    public abstract int classes(DatasetLayout dataset);

    @Override
    public float[] toTarget(float[] hwc, int height, int width) {
        return hwc;
    }

    @Override
    public NDArray loss(NDArray prediction, NDArray target, LossOptions options) {
        return Losses.crossEntropy(prediction, target);
    }

    @Override
    public NDArray randomTarget(NDManager manager, int batch, int channels, int height, int width) {
        return manager.randomInteger(0, channels, new Shape(batch, height, width), DataType.INT64);
    }

    /** The reference neither saves nor scores a label map that is entirely ignore (255). */
    @Override
    public boolean skips(float[] groundTruth) {
        return DenseArrays.all(groundTruth, Task.IGNORE);
    }

    @Override
    public SavedPrediction decode(HeadOutput output, int height, int width) {
        int plane = output.plane();
        float[] labels = new float[plane];
        for (int p = 0; p < plane; p++) {
            labels[p] = DenseArrays.argmax(output.values(), output.channels(), plane, p);
        }
        return new SavedPrediction(
                this, height, width, ResizeBack.nearest(labels, output.height(), output.width(), 1, height, width));
    }

    @Override
    public PredictionFormat savedFormat() {
        return PredictionFormat.PALETTE_PNG;
    }

    @Override
    public DenseMetrics newMetrics(DatasetLayout dataset) {
        return new ClassMapMetrics(new MeanIoU(classes(dataset)));
    }

    @Override
    public ConstantFit newConstantFit(DatasetLayout dataset) {
        return new MajorityClassFit(classes(dataset));
    }

    @Override
    public BufferedImage render(HeadOutput output) {
        float[] out = output.values();
        int plane = output.plane();
        return Renderings.image(
                output.height(),
                output.width(),
                p -> Renderings.vocColor(DenseArrays.argmax(out, output.channels(), plane, p)));
    }

    /** One-hot confident logits; an ignored pixel (255) draws as class 0. */
    @Override
    public HeadOutput groundTruthAsOutput(float[] groundTruth, int channels, int height, int width) {
        int plane = height * width;
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            int c = (int) groundTruth[p];
            if (c >= 0 && c < channels) {
                out[c * plane + p] = Renderings.CONFIDENT_LOGIT;
            }
        }
        return new HeadOutput(out, channels, height, width);
    }

    /** mIoU of one class map task; a named class so that it serialises (see {@link DenseMetrics}). */
    private static final class ClassMapMetrics implements DenseMetrics {
        private static final long serialVersionUID = 1L;
        private final MeanIoU miou;

        ClassMapMetrics(MeanIoU miou) {
            this.miou = miou;
        }

        @Override
        public void add(SavedPrediction prediction, float[] groundTruth) {
            miou.add(DenseArrays.toInt(prediction.values()), DenseArrays.toInt(groundTruth));
        }

        @Override
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("mIoU", miou.mean());
            return m;
        }

        @Override
        public void merge(DenseMetrics other) {
            miou.merge(DenseMetrics.sameKind(ClassMapMetrics.class, other).miou);
        }
    }
}
