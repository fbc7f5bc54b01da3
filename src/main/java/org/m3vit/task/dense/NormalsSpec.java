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
import org.m3vit.task.Interpolation;
import org.m3vit.task.LossOptions;
import org.m3vit.task.MainMetric;
import org.m3vit.task.PredictionFormat;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/**
 * Surface normals: camera-frame unit vectors (x right, y up), all-zero where invalid. They are vectors, so
 * the augmentation turns them with the image and renormalises them after resampling; the head's output is
 * normalised before the L1 loss, the decoding and the picture; angles are the metric.
 */
public final class NormalsSpec implements DenseTaskSpec {

    @Override
    public String id() {
        return "normals";
    }

    /** The mean angle in degrees; 2° is the smallest clear improvement. */
    @Override
    public MainMetric mainMetric() {
        return new MainMetric("mean", false, 2.0, "%.2f°");
    }

    @Override
    public int targetChannels() {
        return 3;
    }

    @Override
    public boolean isClassMap() {
        return false;
    }

    @Override
    public int outputChannels(DatasetLayout dataset) {
        return 3;
    }

    /** Cubic, then renormalised ({@link #afterResize}). */
    @Override
    public Interpolation interpolation() {
        return Interpolation.CUBIC;
    }

    @Override
    public void afterFlip(float[] hwc) {
        for (int i = 0; i < hwc.length; i += 3) {
            hwc[i] = -hwc[i];
        }
    }

    @Override
    public void afterScaleRotate(float[] hwc, double angleDeg, double scale) {
        rotate(hwc, angleDeg);
        renormalise(hwc);
    }

    @Override
    public void afterResize(float[] hwc) {
        renormalise(hwc);
    }

    /**
     * Rotates the in-plane (x, y) part of camera-frame normals (x right, y up) with the image content: a
     * counter-clockwise image rotation by θ turns each normal counter-clockwise by θ.
     */
    static void rotate(float[] n, double angleDeg) {
        double a = Math.toRadians(angleDeg);
        float c = (float) Math.cos(a);
        float s = (float) Math.sin(a);
        for (int i = 0; i < n.length; i += 3) {
            float x = n[i];
            float y = n[i + 1];
            n[i] = c * x - s * y;
            n[i + 1] = s * x + c * y;
        }
    }

    /** Scales non-zero normals to unit length; exactly-zero (invalid) ones stay zero. */
    static void renormalise(float[] n) {
        for (int i = 0; i < n.length; i += 3) {
            double len = Math.sqrt(n[i] * n[i] + n[i + 1] * n[i + 1] + n[i + 2] * n[i + 2]);
            if (len > 1e-12) {
                n[i] /= len;
                n[i + 1] /= len;
                n[i + 2] /= len;
            }
        }
    }

    /** Channel-first, with all three channels 255 where the normal is invalid (all zero). */
    @Override
    public float[] toTarget(float[] hwc, int height, int width) {
        int n = height * width;
        float[] chw = new float[3 * n];
        for (int p = 0; p < n; p++) {
            float x = hwc[3 * p];
            float y = hwc[3 * p + 1];
            float z = hwc[3 * p + 2];
            boolean invalid = x == 0 && y == 0 && z == 0;
            chw[p] = invalid ? Task.IGNORE : x;
            chw[n + p] = invalid ? Task.IGNORE : y;
            chw[2 * n + p] = invalid ? Task.IGNORE : z;
        }
        return chw;
    }

    @Override
    public NDArray loss(NDArray prediction, NDArray target, LossOptions options) {
        return Losses.normalsL1(prediction, target);
    }

    @Override
    public float defaultLossWeight(DatasetLayout dataset) {
        return 10f;
    }

    @Override
    public NDArray randomTarget(NDManager manager, int batch, int channels, int height, int width) {
        NDArray n = manager.randomNormal(new Shape(batch, 3, height, width));
        return n.div(n.square().sum(new int[] {1}, true).sqrt());
    }

    /** The reference scores every image; the metric itself leaves out invalid pixels. */
    @Override
    public boolean skips(float[] groundTruth) {
        return false;
    }

    /** 255·(n/|n| + 1)/2 per channel, resized bilinearly, truncated to uint8. */
    @Override
    public SavedPrediction decode(HeadOutput output, int height, int width) {
        float[] out = output.requireChannels(id(), 3).values();
        int plane = output.plane();
        float[] hwc = new float[plane * 3];
        for (int p = 0; p < plane; p++) {
            double x = out[p];
            double y = out[plane + p];
            double z = out[2 * plane + p];
            // F.normalize's eps: a zero vector stays zero instead of becoming NaN
            double n = Math.max(Math.sqrt(x * x + y * y + z * z), 1e-12);
            hwc[3 * p] = (float) (255 * (x / n + 1) / 2);
            hwc[3 * p + 1] = (float) (255 * (y / n + 1) / 2);
            hwc[3 * p + 2] = (float) (255 * (z / n + 1) / 2);
        }
        return new SavedPrediction(
                this,
                height,
                width,
                DenseArrays.toUint8(ResizeBack.bilinear(hwc, output.height(), output.width(), 3, height, width)));
    }

    @Override
    public PredictionFormat savedFormat() {
        return PredictionFormat.RGB_PNG;
    }

    /** Angles between the saved prediction (2v/255 − 1) and the ground truth ({@link NormalsMetrics}). */
    @Override
    public DenseMetrics newMetrics(DatasetLayout dataset) {
        return new AngularErrors();
    }

    /** The mean direction of the valid train normals, in saved form (straight up the z axis if none). */
    @Override
    public ConstantFit newConstantFit(DatasetLayout dataset) {
        return new ValidPixelSums(
                3, (gt, p, c) -> gt[p * c] != 0 || gt[p * c + 1] != 0 || gt[p * c + 2] != 0, (sum, count) -> {
                    double norm = Math.sqrt(sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]);
                    float[] n = new float[3];
                    for (int k = 0; k < 3; k++) {
                        double unit = norm == 0 ? (k == 2 ? 1 : 0) : sum[k] / norm;
                        n[k] = (float) Math.floor(255 * (unit + 1) / 2);
                    }
                    return n;
                });
    }

    @Override
    public BufferedImage render(HeadOutput output) {
        float[] out = output.requireChannels(id(), 3).values();
        int plane = output.plane();
        return Renderings.image(output.height(), output.width(), p -> {
            double nx = out[p];
            double ny = out[plane + p];
            double nz = out[2 * plane + p];
            double n = Math.max(Math.sqrt(nx * nx + ny * ny + nz * nz), 1e-12);
            return (Renderings.channel(nx / n) << 16) | (Renderings.channel(ny / n) << 8) | Renderings.channel(nz / n);
        });
    }

    /** The ground truth is already a (unit) vector field: only the layout changes. */
    @Override
    public HeadOutput groundTruthAsOutput(float[] groundTruth, int channels, int height, int width) {
        int plane = height * width;
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            for (int k = 0; k < 3; k++) {
                out[k * plane + p] = groundTruth[3 * p + k];
            }
        }
        return new HeadOutput(out, channels, height, width);
    }

    /** Angular error statistics; a named class so that it serialises (see {@link DenseMetrics}). */
    private static final class AngularErrors implements DenseMetrics {
        private static final long serialVersionUID = 1L;
        private final NormalsMetrics normals = new NormalsMetrics();

        @Override
        public void add(SavedPrediction prediction, float[] groundTruth) {
            float[] v = prediction.values();
            float[] n = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                n[i] = 2 * v[i] / 255f - 1;
            }
            normals.add(DenseArrays.planar(n), DenseArrays.planar(groundTruth));
        }

        @Override
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("mean", normals.mean());
            m.put("median", normals.median());
            m.put("rmse", normals.rmse());
            m.put("11.25", normals.percentWithin11());
            m.put("22.5", normals.percentWithin22());
            m.put("30", normals.percentWithin30());
            return m;
        }

        @Override
        public void merge(DenseMetrics other) {
            normals.merge(DenseMetrics.sameKind(AngularErrors.class, other).normals);
        }
    }
}
