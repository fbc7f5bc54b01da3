package org.m3vit.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.m3vit.errors.InvalidInputException;

/**
 * Tensor data as JSON: numbers or strings, flat or nested (row-major either way). Values go into a
 * growing float array that never exceeds the limit.
 */
final class JsonTensorData {

    private final String field;
    private final InferRequestParser.Limits limits;
    private float[] floats;
    private int n;
    private List<String> strings;

    JsonTensorData(String field, InferRequestParser.Limits limits) {
        this.field = field;
        this.limits = limits;
        floats = new float[(int) Math.max(1, Math.min(1024, limits.maxFloats()))];
    }

    void read(JsonParser p, int depth) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw InvalidInputException.field(field, "must be a list of values, got " + p.getText());
        }
        if (depth == InferRequestParser.MAX_RANK) {
            throw InvalidInputException.field(field, "nested deeper than " + InferRequestParser.MAX_RANK + " levels");
        }
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            switch (t) {
                case START_ARRAY -> read(p, depth + 1);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(p.getFloatValue());
                case VALUE_STRING -> string(p.getText());
                default -> throw InvalidInputException.field(
                        field, "values must be numbers (FP32) or strings" + " (BYTES), got " + p.getText());
            }
        }
    }

    private void number(float v) {
        if (strings != null) {
            throw InvalidInputException.field(field, "mixes numbers and strings");
        }
        if (n == floats.length) {
            if (n >= limits.maxFloats()) {
                throw InvalidInputException.field(field, "more than " + limits.maxFloats() + " values");
            }
            floats = Arrays.copyOf(floats, (int) Math.min(limits.maxFloats(), 2L * n));
        }
        floats[n++] = v;
    }

    private void string(String s) {
        if (n > 0) {
            throw InvalidInputException.field(field, "mixes numbers and strings");
        }
        if (strings == null) {
            strings = new ArrayList<>();
        }
        if (strings.size() == limits.maxStrings()) {
            throw InvalidInputException.field(field, "more than " + limits.maxStrings() + " strings");
        }
        strings.add(s);
    }

    float[] floats() {
        return strings != null ? null : Arrays.copyOf(floats, n);
    }

    List<String> strings() {
        return strings;
    }
}
