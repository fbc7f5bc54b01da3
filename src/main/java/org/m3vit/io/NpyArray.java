package org.m3vit.io;

import java.util.Arrays;
import org.m3vit.errors.InvalidInputException;

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

    /**
     * This array, after checking that every value is finite; a NaN or ±Inf is an error naming
     * {@code file}, the count and the first index (model inputs and saved predictions must be numbers).
     */
    public NpyArray requireFinite(String file) {
        int bad = 0;
        int first = -1;
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                bad++;
                first = first < 0 ? i : first;
            }
        }
        if (bad > 0) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.FILE,
                    file,
                    file + ": " + bad + " of " + data.length + " values are NaN or infinite (the first at flat index "
                            + first + ")");
        }
        return this;
    }

    public String shapeString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
