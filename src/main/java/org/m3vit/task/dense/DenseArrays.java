package org.m3vit.task.dense;

/** Array conversions shared by the dense task specs. */
final class DenseArrays {

    private DenseArrays() {}

    /** The channel with the largest value at pixel {@code p} of a (C, H, W) output; the first on ties. */
    static int argmax(float[] chw, int channels, int plane, int p) {
        int best = 0;
        for (int c = 1; c < channels; c++) {
            if (chw[c * plane + p] > chw[best * plane + p]) {
                best = c;
            }
        }
        return best;
    }

    /** Truncation toward zero and clamping to [0, 255], as numpy's float→uint8 cast on in-range values. */
    static float[] toUint8(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) Math.floor(Math.max(0, Math.min(255, v[i])));
        }
        return out;
    }

    static int[] toInt(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(v[i]);
        }
        return out;
    }

    static float[] scale(float[] v, float s) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * s;
        }
        return out;
    }

    /** (H, W, 3) interleaved → (3, H, W) planar. */
    static float[] planar(float[] hwc) {
        int n = hwc.length / 3;
        float[] out = new float[hwc.length];
        for (int i = 0; i < n; i++) {
            out[i] = hwc[3 * i];
            out[n + i] = hwc[3 * i + 1];
            out[2 * n + i] = hwc[3 * i + 2];
        }
        return out;
    }

    /** Whether every value equals {@code value}. */
    static boolean all(float[] v, float value) {
        for (float x : v) {
            if (x != value) {
                return false;
            }
        }
        return true;
    }
}
