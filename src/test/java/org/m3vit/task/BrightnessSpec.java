package org.m3vit.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task that exists only in the tests, to show that a new task is one class plus its registration
 * (a line in src/test/resources/META-INF/services/org.m3vit.task.TaskSpec), with no other file touched:
 * per-pixel brightness in [0, 1], regressed directly, saved as a grey PNG of 255·brightness, scored by the
 * mean absolute error.
 */
public final class BrightnessSpec implements DenseTaskSpec {

    @Override
    public String id() {
        return "brightness";
    }

    @Override
    public MainMetric mainMetric() {
        return new MainMetric("mae", false, 0.02, "%.4f");
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

    @Override
    public float[] toTarget(float[] hwc, int height, int width) {
        return hwc;
    }

    @Override
    public NDArray loss(NDArray prediction, NDArray target, LossOptions options) {
        return prediction.sub(target).abs().mean();
    }

    @Override
    public float defaultLossWeight(DatasetLayout dataset) {
        return 1f;
    }

    @Override
    public NDArray randomTarget(NDManager manager, int batch, int channels, int height, int width) {
        return manager.randomUniform(0f, 1f, new Shape(batch, 1, height, width));
    }

    @Override
    public boolean skips(float[] groundTruth) {
        return false;
    }

    /** 255·brightness clamped and truncated, at the same size (the test needs no resize). */
    @Override
    public SavedPrediction decode(HeadOutput output, int height, int width) {
        if (output.height() != height || output.width() != width) {
            throw new UnsupportedOperationException("the test task does not resize");
        }
        float[] v = output.requireChannels(id(), 1).values();
        float[] saved = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            saved[i] = (float) Math.floor(255 * Math.max(0, Math.min(1, v[i])));
        }
        return new SavedPrediction(this, height, width, saved);
    }

    @Override
    public PredictionFormat savedFormat() {
        return PredictionFormat.GRAY_PNG;
    }

    @Override
    public DenseMetrics newMetrics(DatasetLayout dataset) {
        return new DenseMetrics() {
            private double sum;
            private long count;

            @Override
            public void add(SavedPrediction prediction, float[] groundTruth) {
                for (int i = 0; i < groundTruth.length; i++) {
                    sum += Math.abs(prediction.values()[i] / 255.0 - groundTruth[i]);
                    count++;
                }
            }

            @Override
            public Map<String, Double> metrics() {
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("mae", sum / count);
                return m;
            }

            @Override
            public void merge(DenseMetrics other) {
                throw new UnsupportedOperationException("the test task is scored in one piece");
            }
        };
    }

    @Override
    public ConstantFit newConstantFit(DatasetLayout dataset) {
        return new ConstantFit() {
            private double sum;
            private long count;

            @Override
            public void add(float[] groundTruth) {
                for (float v : groundTruth) {
                    sum += v;
                    count++;
                }
            }

            @Override
            public float[] constant() {
                return new float[] {(float) Math.floor(255 * sum / Math.max(count, 1))};
            }
        };
    }

    @Override
    public BufferedImage render(HeadOutput output) {
        BufferedImage img = new BufferedImage(output.width(), output.height(), BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < output.plane(); p++) {
            int g = (int) Math.round(255 * Math.max(0, Math.min(1, output.values()[p])));
            img.setRGB(p % output.width(), p / output.width(), (g << 16) | (g << 8) | g);
        }
        return img;
    }

    @Override
    public HeadOutput groundTruthAsOutput(float[] groundTruth, int channels, int height, int width) {
        return new HeadOutput(groundTruth.clone(), 1, height, width);
    }
}
