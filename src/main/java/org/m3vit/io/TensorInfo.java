package org.m3vit.io;

import java.util.Arrays;

/**
 * One tensor's header entry in a safetensors file.
 *
 * @param begin byte offset of the data, relative to the start of the data section
 * @param end exclusive end offset, relative to the start of the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Shape as "(2, 3)". */
    public String shapeString() {
        return shapeString(shape);
    }

    public static String shapeString(long[] shape) {
        String s = Arrays.toString(shape);
        return "(" + s.substring(1, s.length() - 1) + ")";
    }
}
