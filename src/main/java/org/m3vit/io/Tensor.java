package org.m3vit.io;

/**
 * A host tensor: float32 or int64 data in C order with its shape. Exactly one of {@code floats} and
 * {@code longs} is set.
 */
public record Tensor(long[] shape, float[] floats, long[] longs) {

    public static Tensor of(long[] shape, float[] data) {
        check(shape, data.length);
        return new Tensor(shape.clone(), data, null);
    }

    public static Tensor ofLongs(long[] shape, long[] data) {
        check(shape, data.length);
        return new Tensor(shape.clone(), null, data);
    }

    public boolean isFloat() {
        return floats != null;
    }

    public DType dtype() {
        return isFloat() ? DType.F32 : DType.I64;
    }

    public long numel() {
        return isFloat() ? floats.length : longs.length;
    }

    private static void check(long[] shape, int n) {
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + TensorInfo.shapeString(shape));
            }
            numel *= d;
        }
        if (numel != n) {
            throw new IllegalArgumentException(
                    "shape " + TensorInfo.shapeString(shape) + " has " + numel + " elements but the data has " + n);
        }
    }
}
