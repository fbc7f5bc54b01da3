package org.m3vit.eval;

import org.m3vit.task.Task;
import org.m3vit.task.dense.ResizeBack;

/**
 * Turns one image's raw head output (C, h, w) at the network size into the saved prediction at the
 * ground truth's size (H, W), following the reference's {@code get_output} and saving code: class maps
 * argmax then nearest resize; sal/edge 255·sigmoid, normals 255·(n/|n| + 1)/2 and depth raw, each
 * resized bilinearly; PNG tasks are then truncated to uint8 as {@code astype(np.uint8)} does.
 */
public final class PredictionDecoder {

    private PredictionDecoder() {}

    public static SavedPrediction decode(Task task, float[] out, int channels, int h, int w, int outH, int outW) {
        int plane = h * w;
        if (out.length != channels * plane) {
            throw new IllegalArgumentException(task.id() + " output has " + out.length + " values, expected " + channels
                    + "x" + h + "x" + w);
        }
        float[] hwc;
        switch (task) {
            case SEMSEG:
            case HUMAN_PARTS: {
                hwc = new float[plane];
                for (int p = 0; p < plane; p++) {
                    int best = 0;
                    for (int c = 1; c < channels; c++) {
                        if (out[c * plane + p] > out[best * plane + p]) {
                            best = c;
                        }
                    }
                    hwc[p] = best;
                }
                return new SavedPrediction(task, outH, outW, ResizeBack.nearest(hwc, h, w, 1, outH, outW));
            }
            case SAL:
            case EDGE: {
                hwc = new float[plane];
                for (int p = 0; p < plane; p++) {
                    hwc[p] = (float) (255.0 / (1.0 + Math.exp(-out[p])));
                }
                return new SavedPrediction(task, outH, outW, toUint8(ResizeBack.bilinear(hwc, h, w, 1, outH, outW)));
            }
            case NORMALS: {
                hwc = new float[plane * 3];
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
                return new SavedPrediction(task, outH, outW, toUint8(ResizeBack.bilinear(hwc, h, w, 3, outH, outW)));
            }
            default:
                return new SavedPrediction(task, outH, outW,
                        ResizeBack.bilinear(out.clone(), h, w, 1, outH, outW));
        }
    }

    /** Truncation toward zero and clamping to [0, 255], as numpy's float→uint8 cast on in-range values. */
    private static float[] toUint8(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) Math.floor(Math.max(0, Math.min(255, v[i])));
        }
        return out;
    }
}
