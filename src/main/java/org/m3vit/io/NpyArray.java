package org.m3vit.io;

import java.util.Arrays;

/** A numeric array read from a .npy file, converted to float32, C order, with its shape. */
public final class NpyArray {

    private final int[] shape;
    private final float[] data;

    public NpyArray(int[] shape, float[] data) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public float[] data() {
        return data;
    }

    public String shapeString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
