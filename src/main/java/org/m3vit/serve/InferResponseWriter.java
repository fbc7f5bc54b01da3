package org.m3vit.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.Tensor;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.Task;

/**
 * Writes an {@code $inference_response}: one output per task, named by the task id, either FP32
 * [B, C, H, W] (the head's raw output) or, with {@code parameters.output: "png"}, BYTES [B] holding one
 * viewable PNG per image (the task spec's render, at the model's input size). An output travels as JSON
 * data (PNGs base64-encoded) or, with the binary tensor extension, as raw bytes after the JSON, its size
 * in {@code parameters.binary_data_size}.
 */
final class InferResponseWriter {

    /**
     * An encoded answer. A JSON-only answer is generated straight into the client's stream, so that a large
     * FP32 response is never held whole in memory; with binary outputs, the JSON (whose length goes in a
     * header) is built first and the binary data follows it.
     */
    static final class Encoded {
        private final int jsonLength;
        private final Body body;

        private Encoded(int jsonLength, Body body) {
            this.jsonLength = jsonLength;
            this.body = body;
        }

        /** The JSON's length when binary data follows it, else -1. */
        int jsonLength() {
            return jsonLength;
        }

        String contentType() {
            return jsonLength < 0 ? "application/json" : "application/octet-stream";
        }

        void writeTo(OutputStream out) throws IOException {
            body.write(out);
        }
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private InferResponseWriter() {}

    static Encoded write(
            String modelName,
            InferRequest request,
            List<Task> tasks,
            Map<Task, Tensor> outputs,
            Map<Task, Integer> channels) {
        // PNGs are rendered before anything is sent: a failure then is still an error answer.
        Map<Task, List<byte[]>> pngs = new LinkedHashMap<>();
        if (request.format() == InferRequest.OutputFormat.PNG) {
            for (Task t : tasks) {
                pngs.put(t, pngs(t, outputs.get(t), channels.get(t)));
            }
        }
        if (tasks.stream().noneMatch(t -> binary(request, t))) {
            return new Encoded(-1, out -> json(out, modelName, request, tasks, outputs, pngs, null));
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream(1 << 12);
        List<byte[]> parts = new ArrayList<>();
        try {
            json(head, modelName, request, tasks, outputs, pngs, parts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Encoded(head.size(), out -> {
            head.writeTo(out);
            for (byte[] p : parts) {
                out.write(p);
            }
        });
    }

    /** The JSON; outputs sent as binary have their bytes appended to {@code binary} instead of data. */
    private static void json(
            OutputStream sink,
            String modelName,
            InferRequest request,
            List<Task> tasks,
            Map<Task, Tensor> outputs,
            Map<Task, List<byte[]>> pngs,
            List<byte[]> binary)
            throws IOException {
        try (JsonGenerator g = Json.FACTORY.createGenerator(sink)) {
            g.writeStartObject();
            g.writeStringField("model_name", modelName);
            if (request.id() != null) {
                g.writeStringField("id", request.id());
            }
            g.writeArrayFieldStart("outputs");
            for (Task t : tasks) {
                boolean asBinary = binary != null && binary(request, t);
                g.writeStartObject();
                g.writeStringField("name", t.id());
                if (pngs.containsKey(t)) {
                    pngOutput(g, pngs.get(t), asBinary, binary);
                } else {
                    fp32Output(g, outputs.get(t), asBinary, binary);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void pngOutput(JsonGenerator g, List<byte[]> pngs, boolean asBinary, List<byte[]> binary)
            throws IOException {
        g.writeStringField("datatype", "BYTES");
        g.writeArrayFieldStart("shape");
        g.writeNumber(pngs.size());
        g.writeEndArray();
        if (asBinary) {
            byte[] b = lengthPrefixed(pngs);
            binaryParameter(g, b.length);
            binary.add(b);
        } else {
            g.writeArrayFieldStart("data");
            for (byte[] p : pngs) {
                g.writeString(Base64.getEncoder().encodeToString(p));
            }
            g.writeEndArray();
        }
    }

    private static void fp32Output(JsonGenerator g, Tensor y, boolean asBinary, List<byte[]> binary)
            throws IOException {
        g.writeStringField("datatype", "FP32");
        g.writeArrayFieldStart("shape");
        for (long d : y.shape()) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        if (asBinary) {
            byte[] b = littleEndian(y.floats());
            binaryParameter(g, b.length);
            binary.add(b);
        } else {
            // Float.toString's shortest form: parses back to the very same float.
            g.writeArrayFieldStart("data");
            for (float v : y.floats()) {
                g.writeNumber(v);
            }
            g.writeEndArray();
        }
    }

    /** {@code outputs[i].parameters.binary_data} for this task if given, else {@code binary_data_output}. */
    private static boolean binary(InferRequest r, Task t) {
        if (r.outputs() != null) {
            for (InferRequest.RequestedOutput o : r.outputs()) {
                if (o.name().equals(t.id()) && o.binaryData() != null) {
                    return o.binaryData();
                }
            }
        }
        return r.binaryDataOutput();
    }

    private static void binaryParameter(JsonGenerator g, long size) throws IOException {
        g.writeObjectFieldStart("parameters");
        g.writeNumberField("binary_data_size", size);
        g.writeEndObject();
    }

    private static List<byte[]> pngs(Task t, Tensor y, int channels) {
        long[] s = y.shape();
        int h = (int) s[2];
        int w = (int) s[3];
        int per = channels * h * w;
        List<byte[]> out = new ArrayList<>();
        for (int b = 0; b < s[0]; b++) {
            float[] one = new float[per];
            System.arraycopy(y.floats(), b * per, one, 0, per);
            BufferedImage img = t.spec().render(new HeadOutput(one, channels, h, w));
            try {
                out.add(ImageFiles.pngBytes(img));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The binary extension's BYTES layout: per element a 4-byte little-endian length, then the bytes. */
    static byte[] lengthPrefixed(List<byte[]> elements) {
        int size = 0;
        for (byte[] e : elements) {
            size += 4 + e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] e : elements) {
            b.putInt(e.length).put(e);
        }
        return b.array();
    }

    static byte[] littleEndian(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }
}
