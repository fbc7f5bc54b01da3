package org.m3vit.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Argument checks that name the offending parameter and value, shared by every layer. */
public final class Checks {

    private Checks() {}

    public static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    public static void finiteNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
        }
    }

    /**
     * Rejects dtypes the layers do not compute in. BF16 (and the 16-bit integer types) would abort the
     * JVM inside the engine, so they must be refused or converted in Java before reaching it.
     */
    public static void floatInput(String name, NDArray x) {
        DataType t = x.getDataType();
        if (t != DataType.FLOAT32 && t != DataType.FLOAT64 && t != DataType.FLOAT16) {
            throw new IllegalArgumentException(name + " must be float32 (or float16/float64), got " + t
                    + (t == DataType.BFLOAT16 ? "; convert bfloat16 to float32 first" : ""));
        }
    }

    /** Requires rank {@code rank} and, where {@code expected[i] >= 0}, that size on axis i. */
    public static void shape(String name, NDArray x, long... expected) {
        Shape s = x.getShape();
        boolean ok = s.dimension() == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = expected[i] < 0 || s.get(i) == expected[i];
        }
        if (!ok) {
            StringBuilder want = new StringBuilder("(");
            for (int i = 0; i < expected.length; i++) {
                want.append(i > 0 ? ", " : "").append(expected[i] < 0 ? "*" : String.valueOf(expected[i]));
            }
            throw new IllegalArgumentException(name + " must have shape " + want + "), got " + s);
        }
    }
}
