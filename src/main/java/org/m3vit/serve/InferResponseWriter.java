package org.m3vit.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;
import org.m3vit.task.TaskVisualizer;

/**
 * Writes an {@code $inference_response}: one output per task, named by the task id, either FP32
 * [B, C, H, W] (the head's raw output) or, with {@code parameters.output: "png"}, BYTES [B] holding one
 * viewable PNG per image ({@link TaskVisualizer}, at the model's input size). An output travels as JSON
 * data (PNGs base64-encoded) or, with the binary tensor extension, as raw bytes after the JSON, its size
 * in {@code parameters.binary_data_size}.
 */
final class InferResponseWriter {

    /** A response body; {@code jsonLength} is set when binary data follows the JSON, else -1. */
    record Encoded(byte[] body, int jsonLength) {
        String contentType() {
            return jsonLength < 0 ? "application/json" : "application/octet-stream";
        }
    }

    private InferResponseWriter() {}

    static Encoded write(String modelName, InferRequest request, List<Task> tasks, Map<Task, Tensor> outputs,
            Map<Task, Integer> channels) {
        boolean png = request.format() == InferRequest.OutputFormat.PNG;
        List<byte[]> binary = new ArrayList<>();
        ByteArrayOutputStream json = new ByteArrayOutputStream(1 << 16);
        try (JsonGenerator g = Json.FACTORY.createGenerator(json)) {
            g.writeStartObject();
            g.writeStringField("model_name", modelName);
            if (request.id() != null) {
                g.writeStringField("id", request.id());
            }
            g.writeArrayFieldStart("outputs");
            for (Task t : tasks) {
                Tensor y = outputs.get(t);
                boolean asBinary = binary(request, t);
                g.writeStartObject();
                g.writeStringField("name", t.id());
                if (png) {
                    List<byte[]> pngs = pngs(t, y, channels.get(t));
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
                } else {
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
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (binary.isEmpty()) {
            return new Encoded(json.toByteArray(), -1);
        }
        int jsonLength = json.size();
        for (byte[] b : binary) {
            json.writeBytes(b);
        }
        return new Encoded(json.toByteArray(), jsonLength);
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

    private static List<byte[]> pngs(Task t, Tensor y, int channels) throws IOException {
        long[] s = y.shape();
        int h = (int) s[2];
        int w = (int) s[3];
        int per = channels * h * w;
        List<byte[]> out = new ArrayList<>();
        for (int b = 0; b < s[0]; b++) {
            float[] one = new float[per];
            System.arraycopy(y.floats(), b * per, one, 0, per);
            BufferedImage img = TaskVisualizer.render(t, one, channels, h, w);
            out.add(ImageFiles.pngBytes(img));
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
