package org.m3vit.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's inference request body, built as the protocol says: FP32 {@code input} or BYTES
 * {@code image}, as JSON data or with the binary tensor extension (the JSON, then the raw data; its
 * length goes in {@code Inference-Header-Content-Length}). Used by {@code m3vit loadtest} and the tests.
 *
 * @param jsonLength the JSON's length when binary data follows it, else -1
 */
public record InferBody(byte[] bytes, int jsonLength) {

    /** The HTTP headers to send with it. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", jsonLength < 0 ? "application/json" : "application/octet-stream");
        if (jsonLength >= 0) {
            h.put(InferenceServer.JSON_LENGTH_HEADER, Integer.toString(jsonLength));
        }
        return h;
    }

    /**
     * Normalised images, FP32 [B, C, H, W] row-major.
     *
     * @param tasks task ids for {@code parameters.task}, or empty for all
     * @param png ask for viewable PNGs instead of FP32 outputs
     * @param binary send the data, and ask for the outputs, with the binary extension
     */
    public static InferBody fp32(long[] shape, float[] data, List<String> tasks, boolean png, boolean binary) {
        return build(
                "input",
                "FP32",
                shape,
                tasks,
                png,
                binary,
                g -> {
                    g.writeArrayFieldStart("data");
                    for (float v : data) {
                        g.writeNumber(v);
                    }
                    g.writeEndArray();
                },
                binary ? InferResponseWriter.littleEndian(data) : null);
    }

    /** Encoded JPEG/PNG files, BYTES [B]: base64 strings in JSON, or length-prefixed with the binary extension. */
    public static InferBody images(List<byte[]> files, List<String> tasks, boolean png, boolean binary) {
        return build(
                "image",
                "BYTES",
                new long[] {files.size()},
                tasks,
                png,
                binary,
                g -> {
                    g.writeArrayFieldStart("data");
                    for (byte[] f : files) {
                        g.writeString(Base64.getEncoder().encodeToString(f));
                    }
                    g.writeEndArray();
                },
                binary ? InferResponseWriter.lengthPrefixed(files) : null);
    }

    private interface DataWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private static InferBody build(
            String name,
            String datatype,
            long[] shape,
            List<String> tasks,
            boolean png,
            boolean binary,
            DataWriter jsonData,
            byte[] binaryData) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("inputs");
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("datatype", datatype);
            g.writeArrayFieldStart("shape");
            for (long d : shape) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            if (binary) {
                g.writeObjectFieldStart("parameters");
                g.writeNumberField("binary_data_size", binaryData.length);
                g.writeEndObject();
            } else {
                jsonData.write(g);
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeObjectFieldStart("parameters");
            if (!tasks.isEmpty()) {
                g.writeArrayFieldStart("task");
                for (String t : tasks) {
                    g.writeString(t);
                }
                g.writeEndArray();
            }
            if (png) {
                g.writeStringField("output", "png");
            }
            if (binary) {
                g.writeBooleanField("binary_data_output", true);
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!binary) {
            return new InferBody(out.toByteArray(), -1);
        }
        int jsonLength = out.size();
        out.writeBytes(binaryData);
        return new InferBody(out.toByteArray(), jsonLength);
    }
}
