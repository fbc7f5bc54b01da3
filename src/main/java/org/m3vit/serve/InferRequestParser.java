package org.m3vit.serve;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.m3vit.errors.InvalidInputException;

/**
 * Reads an inference request body: the JSON object, then (binary tensor extension) the binary data of
 * the inputs that give {@code binary_data_size}, in input order. Tensor data is streamed straight into
 * float arrays, and no array grows past {@link Limits}: a request cannot make the server allocate more
 * than the limits say, whatever shape it declares. Every problem is an {@link InvalidInputException}
 * naming the field.
 */
final class InferRequestParser {

    /** At most this many inputs; the models take one. */
    static final int MAX_INPUTS = 16;
    /** Tensor ranks beyond this are never valid. */
    static final int MAX_RANK = 8;

    /**
     * @param maxFloats numeric elements of one input tensor
     * @param maxStrings BYTES elements of one input tensor
     */
    record Limits(long maxFloats, int maxStrings) {}

    private final Limits limits;

    private InferRequestParser(Limits limits) {
        this.limits = limits;
    }

    /**
     * @param jsonLength the {@code Inference-Header-Content-Length} header: the JSON's length in bytes when
     *     binary data follows it, or null when the body is JSON only
     */
    static InferRequest parse(byte[] body, Integer jsonLength, Limits limits) {
        int json = body.length;
        if (jsonLength != null) {
            if (jsonLength < 2 || jsonLength > body.length) {
                throw InvalidInputException.field(
                        "Inference-Header-Content-Length",
                        "is " + jsonLength + " but the body has " + body.length + " bytes");
            }
            json = jsonLength;
        }
        InferRequestParser p = new InferRequestParser(limits);
        Parsed parsed;
        try (JsonParser jp = Json.MAPPER.createParser(body, 0, json)) {
            parsed = p.request(jp, body, json);
        } catch (StreamConstraintsException e) {
            throw InvalidInputException.field("body", "exceeds a JSON limit: " + e.getOriginalMessage());
        } catch (JsonParseException e) {
            throw InvalidInputException.field(
                    "body",
                    "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw InvalidInputException.field("body", "unreadable JSON: " + e.getMessage());
        }
        List<InputTensor> inputs = p.attachBinary(parsed.inputs, body, json, jsonLength != null);
        return new InferRequest(
                parsed.id, inputs, parsed.tasks, parsed.format, parsed.binaryDataOutput, parsed.outputs);
    }

    /** An input before its binary data is attached: {@code binarySize} ≥ 0 when the data follows the JSON. */
    private record PendingInput(
            String field,
            String name,
            String datatype,
            long[] shape,
            float[] floats,
            List<String> strings,
            long binarySize) {}

    private static final class Parsed {
        String id;
        List<PendingInput> inputs;
        List<String> tasks;
        InferRequest.OutputFormat format = InferRequest.OutputFormat.FP32;
        boolean binaryDataOutput;
        List<InferRequest.RequestedOutput> outputs;
    }

    private Parsed request(JsonParser p, byte[] body, int end) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw InvalidInputException.field("body", "expected a JSON object ({\"inputs\": [...]})");
        }
        Parsed r = new Parsed();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "id" -> r.id = text(p, "id");
                case "parameters" -> requestParameters(Json.MAPPER.readTree(p), r);
                case "inputs" -> r.inputs = inputs(p);
                case "outputs" -> r.outputs = outputs(p);
                default -> p.skipChildren();
            }
        }
        // Not p.nextToken(): binary data after the JSON would fail as malformed JSON, hiding the real mistake.
        for (long i = p.currentLocation().getByteOffset(); i < end; i++) {
            byte b = body[(int) i];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                throw InvalidInputException.field(
                        "body",
                        "unexpected content after the JSON object"
                                + " (binary data needs the Inference-Header-Content-Length header)");
            }
        }
        if (r.inputs == null || r.inputs.isEmpty()) {
            throw InvalidInputException.field(
                    "inputs", "missing or empty; give one input, 'input' (FP32) or" + " 'image' (BYTES)");
        }
        return r;
    }

    private static void requestParameters(JsonNode n, Parsed r) {
        if (!n.isObject()) {
            throw InvalidInputException.field("parameters", "must be an object");
        }
        JsonNode task = n.get("task");
        if (task != null) {
            r.tasks = new ArrayList<>();
            if (task.isTextual()) {
                r.tasks.add(task.asText());
            } else if (task.isArray() && !task.isEmpty()) {
                for (JsonNode t : task) {
                    if (!t.isTextual()) {
                        throw InvalidInputException.field(
                                "parameters.task", "list elements must be task names," + " got " + t);
                    }
                    r.tasks.add(t.asText());
                }
            } else {
                throw InvalidInputException.field(
                        "parameters.task", "must be a task name or a non-empty list of" + " them, got " + task);
            }
        }
        JsonNode output = n.get("output");
        if (output != null) {
            if (!output.isTextual()
                    || !(output.asText().equals("png") || output.asText().equals("fp32"))) {
                throw InvalidInputException.field(
                        "parameters.output",
                        "must be \"fp32\" (the raw head outputs, the" + " default) or \"png\" (viewable images), got "
                                + output);
            }
            r.format = output.asText().equals("png") ? InferRequest.OutputFormat.PNG : InferRequest.OutputFormat.FP32;
        }
        JsonNode binary = n.get("binary_data_output");
        if (binary != null) {
            if (!binary.isBoolean()) {
                throw InvalidInputException.field(
                        "parameters.binary_data_output", "must be true or false, got " + binary);
            }
            r.binaryDataOutput = binary.asBoolean();
        }
    }

    private List<PendingInput> inputs(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY, "inputs", "a list of input tensors");
        List<PendingInput> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String field = "inputs[" + out.size() + "]";
            if (out.size() == MAX_INPUTS) {
                throw InvalidInputException.field("inputs", "more than " + MAX_INPUTS + " inputs");
            }
            out.add(input(p, field));
        }
        return out;
    }

    private PendingInput input(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw InvalidInputException.field(field, "must be an object with name, shape, datatype and data");
        }
        String name = null;
        String datatype = null;
        long[] shape = null;
        JsonTensorData data = null;
        long binarySize = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "name" -> name = text(p, field + ".name");
                case "datatype" -> datatype = text(p, field + ".datatype");
                case "shape" -> shape = shape(p, field + ".shape");
                case "data" -> {
                    data = new JsonTensorData(field + ".data", limits);
                    data.read(p, 0);
                }
                case "parameters" -> binarySize = binarySize(Json.MAPPER.readTree(p), field);
                default -> p.skipChildren();
            }
        }
        if (name == null) {
            throw InvalidInputException.field(field + ".name", "missing");
        }
        if (datatype == null) {
            throw InvalidInputException.field(field + ".datatype", "missing");
        }
        if (shape == null) {
            throw InvalidInputException.field(field + ".shape", "missing");
        }
        if (binarySize >= 0 && data != null) {
            throw InvalidInputException.field(field, "has both data and binary_data_size; give one");
        }
        if (binarySize < 0 && data == null) {
            throw InvalidInputException.field(
                    field + ".data", "missing (or give binary_data_size and the binary" + " data after the JSON)");
        }
        return new PendingInput(
                field,
                name,
                datatype,
                shape,
                data == null ? null : data.floats(),
                data == null ? null : data.strings(),
                binarySize);
    }

    private static long binarySize(JsonNode params, String field) {
        if (!params.isObject()) {
            throw InvalidInputException.field(field + ".parameters", "must be an object");
        }
        JsonNode n = params.get("binary_data_size");
        if (n == null) {
            return -1;
        }
        if (!n.canConvertToExactIntegral() || n.asLong() < 0) {
            throw InvalidInputException.field(field + ".parameters.binary_data_size", "must be a byte count, got " + n);
        }
        return n.asLong();
    }

    private static long[] shape(JsonParser p, String field) throws IOException {
        expect(p, JsonToken.START_ARRAY, field, "a list of dimensions");
        List<Long> dims = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                    || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw InvalidInputException.field(
                        field, "dimensions must be non-negative integers, got " + p.getText());
            }
            if (dims.size() == MAX_RANK) {
                throw InvalidInputException.field(field, "more than " + MAX_RANK + " dimensions");
            }
            dims.add(p.getLongValue());
        }
        long[] s = new long[dims.size()];
        long n = 1;
        for (int i = 0; i < s.length; i++) {
            s[i] = dims.get(i);
            try {
                n = Math.multiplyExact(n, s[i]);
            } catch (ArithmeticException e) {
                throw InvalidInputException.field(field, Arrays.toString(s) + " has more elements than a long holds");
            }
        }
        return s;
    }

    private static List<InferRequest.RequestedOutput> outputs(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY, "outputs", "a list of {\"name\": task}");
        List<InferRequest.RequestedOutput> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String field = "outputs[" + out.size() + "]";
            JsonNode n = Json.MAPPER.readTree(p);
            if (!n.isObject() || n.get("name") == null || !n.get("name").isTextual()) {
                throw InvalidInputException.field(field, "must be an object with a name (a task), got " + n);
            }
            Boolean binary = null;
            JsonNode params = n.get("parameters");
            if (params != null) {
                JsonNode b = params.get("binary_data");
                if (b != null && !b.isBoolean()) {
                    throw InvalidInputException.field(field + ".parameters.binary_data", "must be true or false");
                }
                binary = b == null ? null : b.asBoolean();
            }
            if (out.size() == 64) {
                throw InvalidInputException.field("outputs", "more than 64 outputs");
            }
            out.add(new InferRequest.RequestedOutput(n.get("name").asText(), binary));
        }
        return out;
    }

    /** Gives the inputs with binary_data_size their slice of the bytes after the JSON, in order. */
    private List<InputTensor> attachBinary(List<PendingInput> inputs, byte[] body, int offset, boolean header) {
        List<InputTensor> out = new ArrayList<>();
        int at = offset;
        for (PendingInput in : inputs) {
            if (in.binarySize < 0) {
                out.add(new InputTensor(in.field, in.name, in.datatype, in.shape, in.floats, in.strings, null));
                continue;
            }
            if (!header) {
                throw InvalidInputException.field(
                        in.field + ".parameters.binary_data_size",
                        "given, but the request"
                                + " has no Inference-Header-Content-Length header saying where the JSON ends");
            }
            if (in.binarySize > body.length - at) {
                throw InvalidInputException.field(
                        in.field + ".parameters.binary_data_size",
                        "is " + in.binarySize + " but only " + (body.length - at)
                                + " bytes of binary data are left in the body");
            }
            int size = (int) in.binarySize;
            out.add(binaryInput(in, body, at, size));
            at += size;
        }
        if (at != body.length) {
            throw InvalidInputException.field(
                    "body",
                    (body.length - at) + " bytes after the JSON and the inputs'"
                            + " binary data belong to no input (binary_data_size too small?)");
        }
        return out;
    }

    private InputTensor binaryInput(PendingInput in, byte[] body, int at, int size) {
        long declared = 1;
        for (long d : in.shape) {
            declared *= d;
        }
        String f = in.field + ".parameters.binary_data_size";
        switch (in.datatype) {
            case "FP32" -> {
                if (declared > limits.maxFloats) {
                    throw InvalidInputException.field(
                            in.field + ".shape",
                            Arrays.toString(in.shape) + " has " + declared + " elements; at most " + limits.maxFloats
                                    + " are accepted");
                }
                if (size != declared * 4) {
                    throw InvalidInputException.field(
                            f,
                            "is " + size + " bytes but FP32 " + Arrays.toString(in.shape) + " takes " + declared * 4);
                }
                float[] v = new float[(int) declared];
                ByteBuffer.wrap(body, at, size)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(v);
                return new InputTensor(in.field, in.name, in.datatype, in.shape, v, null, null);
            }
            case "BYTES" -> {
                // Each element: a 4-byte little-endian length, then that many bytes.
                List<byte[]> elements = new ArrayList<>();
                ByteBuffer b = ByteBuffer.wrap(body, at, size).order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    if (elements.size() == limits.maxStrings) {
                        throw InvalidInputException.field(
                                in.field, "more than " + limits.maxStrings + " BYTES elements");
                    }
                    if (b.remaining() < 4) {
                        throw InvalidInputException.field(f, "BYTES data ends inside an element's 4-byte length");
                    }
                    long len = Integer.toUnsignedLong(b.getInt());
                    if (len > b.remaining()) {
                        throw InvalidInputException.field(
                                f,
                                "BYTES element " + elements.size() + " says " + len + " bytes but only " + b.remaining()
                                        + " are left");
                    }
                    byte[] e = new byte[(int) len];
                    b.get(e);
                    elements.add(e);
                }
                return new InputTensor(in.field, in.name, in.datatype, in.shape, null, null, elements);
            }
            default -> throw InvalidInputException.field(
                    in.field + ".datatype",
                    "'" + in.datatype + "' is not" + " accepted; the inputs are 'input' (FP32) and 'image' (BYTES)");
        }
    }

    private static String text(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw InvalidInputException.field(field, "must be a string, got " + p.getText());
        }
        return p.getText();
    }

    private static void expect(JsonParser p, JsonToken t, String field, String what) throws IOException {
        if (p.currentToken() != t) {
            throw InvalidInputException.field(field, "must be " + what + ", got " + p.getText());
        }
    }
}
