package org.m3vit.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;

/**
 * Named tensors read on demand: a safetensors file ({@link SafetensorsFile}), or a view that presents
 * another layout under the same names (the runtime's expert-major artifacts present their per-expert
 * tensors as the stacked ones a model expects).
 */
public interface TensorReader {

    /** The file the tensors come from. */
    Path path();

    /** Header entries by name. */
    Map<String, TensorInfo> tensors();

    /** The file's string metadata. */
    Map<String, String> metadata();

    /** A tensor's header entry; an error naming the tensor and the file if there is none. */
    default TensorInfo info(String name) {
        TensorInfo i = tensors().get(name);
        if (i == null) {
            throw new IllegalArgumentException("safetensors file " + path() + " has no tensor '" + name + "'");
        }
        return i;
    }

    /** A float tensor's data as float32. */
    float[] floats(String name) throws IOException;

    /**
     * A float tensor's data as float32 little-endian into {@code dst} (from its position, which advances),
     * without a Java array in between where the reader can (a safetensors file reads straight into it).
     */
    default void readFloats(String name, ByteBuffer dst) throws IOException {
        float[] data = floats(name);
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(data);
        dst.position(dst.position() + 4 * data.length);
    }

    /** An integer tensor's data as int64. */
    long[] longs(String name) throws IOException;
}
