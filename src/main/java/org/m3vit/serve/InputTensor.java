package org.m3vit.serve;

import java.util.List;

/**
 * One {@code inputs[i]} of an inference request as sent: name, datatype, shape, and its data in the form
 * it came in: numbers ({@code floats}), JSON strings ({@code strings}) or binary BYTES elements
 * ({@code bytes}); the other forms are null.
 *
 * @param field where it is in the request ({@code inputs[0]}), for messages
 */
record InputTensor(
        String field,
        String name,
        String datatype,
        long[] shape,
        float[] floats,
        List<String> strings,
        List<byte[]> bytes) {

    /** The number of elements its shape declares (the shape was checked not to overflow). */
    long declaredElements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    int dataElements() {
        return floats != null ? floats.length : strings != null ? strings.size() : bytes != null ? bytes.size() : 0;
    }
}
