package org.m3vit.runtime;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.AtomicFiles;

/**
 * What the co-design runtime observed in its MoE layers while predicting: for each image and task, for each
 * MoE block, how many (token, slot) pairs each expert's queue held and how many bytes of expert weights
 * were loaded. The runtime writes it ({@code predict --trace}); the accelerator model reads it. JSON,
 * versioned ({@link #FORMAT}, {@link #VERSION}):
 *
 * <pre>
 * {"format": "m3vit-expert-trace", "version": 1,
 *  "experts": 16, "top_k": 2, "tokens": 129, "weight_bytes_per_param": 4,
 *  "images": [{"id": "2008_000002", "task": "semseg",
 *              "layers": [{"block": 1, "queue_lengths": [16 integers], "bytes_loaded": 1234}, ...]}, ...]}
 * </pre>
 *
 * {@code bytes_loaded} is optional (a trace from a resident model has nothing to report) and is counted at
 * {@code weight_bytes_per_param} bytes per parameter, the precision the runtime holds its weights in. Every
 * token sits in exactly {@code top_k} queues (M³ViT drops no tokens), so each layer's queue lengths sum to
 * top_k · tokens; the reader checks that, and the shape of everything, and names the field that is wrong.
 */
public record ExpertTrace(int experts, int topK, int tokens, int weightBytesPerParam, List<Image> images) {

    public static final String FORMAT = "m3vit-expert-trace";
    public static final int VERSION = 1;

    /** Marks a layer whose loaded bytes were not measured. */
    public static final long NOT_MEASURED = -1;

    /** One image through one task's pathway. */
    public record Image(String id, String task, List<Layer> layers) {
        public Image {
            layers = List.copyOf(layers);
        }
    }

    /** One MoE block: queue length per expert, and the expert bytes loaded ({@link #NOT_MEASURED} if unknown). */
    public record Layer(int block, List<Integer> queueLengths, long bytesLoaded) {
        public Layer {
            queueLengths = List.copyOf(queueLengths);
        }

        public boolean measured() {
            return bytesLoaded != NOT_MEASURED;
        }
    }

    public ExpertTrace {
        images = List.copyOf(images);
    }

    /** Writes the trace atomically (a reader never sees half a file). */
    public void write(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("experts", experts);
        root.put("top_k", topK);
        root.put("tokens", tokens);
        root.put("weight_bytes_per_param", weightBytesPerParam);
        List<Object> list = new ArrayList<>();
        for (Image im : images) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", im.id());
            m.put("task", im.task());
            List<Object> layers = new ArrayList<>();
            for (Layer l : im.layers()) {
                Map<String, Object> lm = new LinkedHashMap<>();
                lm.put("block", l.block());
                lm.put("queue_lengths", l.queueLengths());
                if (l.measured()) {
                    lm.put("bytes_loaded", l.bytesLoaded());
                }
                layers.add(lm);
            }
            m.put("layers", layers);
            list.add(m);
        }
        root.put("images", list);
        byte[] json = new GsonBuilder()
                .disableHtmlEscaping()
                .setPrettyPrinting()
                .create()
                .toJson(root)
                .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(json));
    }

    /** Reads and checks a trace; any problem is an {@link InvalidInputException} naming the file and field. */
    public static ExpertTrace read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "expert trace not found");
        }
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw InvalidInputException.file(file, "not valid JSON (" + e.getMessage() + ")");
        }
        Fields f = new Fields(file);
        JsonObject o = f.object(root, "(top level)");
        String format = f.string(o, "format");
        if (!FORMAT.equals(format)) {
            throw f.bad("format", "expected \"" + FORMAT + "\", got \"" + format + "\"");
        }
        int version = f.integer(o, "version", 1);
        if (version != VERSION) {
            throw f.bad("version", version + " is not readable by this build, which reads version " + VERSION);
        }
        int experts = f.integer(o, "experts", 1);
        int topK = f.integer(o, "top_k", 1);
        if (topK > experts) {
            throw f.bad("top_k", topK + " is larger than experts " + experts);
        }
        int tokens = f.integer(o, "tokens", 1);
        int bytesPerParam = f.integer(o, "weight_bytes_per_param", 1);
        JsonArray imageArray = f.array(o, "images");
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < imageArray.size(); i++) {
            String at = "images[" + i + "]";
            JsonObject im = f.object(imageArray.get(i), at);
            JsonArray layerArray = f.array(im, at + ".layers");
            List<Layer> layers = new ArrayList<>();
            for (int j = 0; j < layerArray.size(); j++) {
                String lat = at + ".layers[" + j + "]";
                JsonObject l = f.object(layerArray.get(j), lat);
                JsonArray q = f.array(l, lat + ".queue_lengths");
                if (q.size() != experts) {
                    throw f.bad(lat + ".queue_lengths", "has " + q.size() + " entries, but experts is " + experts);
                }
                List<Integer> lengths = new ArrayList<>();
                long sum = 0;
                for (int e = 0; e < q.size(); e++) {
                    int n = f.integer(q.get(e), lat + ".queue_lengths[" + e + "]", 0);
                    if (n > tokens) {
                        throw f.bad(
                                lat + ".queue_lengths[" + e + "]",
                                n + " exceeds tokens " + tokens + " (a token enters an expert's queue at most once)");
                    }
                    lengths.add(n);
                    sum += n;
                }
                if (sum != (long) topK * tokens) {
                    throw f.bad(
                            lat + ".queue_lengths",
                            "sum to " + sum + ", but every one of the " + tokens + " tokens sits in top_k = " + topK
                                    + " queues (" + (long) topK * tokens + ")");
                }
                long bytes = l.has("bytes_loaded")
                        ? f.longValue(l.get("bytes_loaded"), lat + ".bytes_loaded")
                        : NOT_MEASURED;
                layers.add(new Layer(f.integer(l, lat + ".block", 0), lengths, bytes));
            }
            images.add(new Image(f.string(im, at + ".id"), f.string(im, at + ".task"), layers));
        }
        return new ExpertTrace(experts, topK, tokens, bytesPerParam, images);
    }

    /** Typed access to the JSON; errors name the file and the dotted field. */
    private record Fields(Path file) {

        InvalidInputException bad(String field, String problem) {
            return new InvalidInputException(
                    InvalidInputException.Kind.FILE, file.toString(), file + ": " + field + ": " + problem);
        }

        JsonObject object(JsonElement e, String field) {
            if (e == null || !e.isJsonObject()) {
                throw bad(field, "expected an object");
            }
            return e.getAsJsonObject();
        }

        JsonArray array(JsonObject o, String field) {
            JsonElement e = o.get(leaf(field));
            if (e == null || !e.isJsonArray()) {
                throw bad(field, e == null ? "missing" : "expected a list");
            }
            return e.getAsJsonArray();
        }

        String string(JsonObject o, String field) {
            JsonElement e = o.get(leaf(field));
            if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw bad(field, e == null ? "missing" : "expected a string");
            }
            return e.getAsString();
        }

        int integer(JsonObject o, String field, int min) {
            JsonElement e = o.get(leaf(field));
            if (e == null) {
                throw bad(field, "missing");
            }
            return integer(e, field, min);
        }

        int integer(JsonElement e, String field, int min) {
            long v = longValue(e, field);
            if (v < min || v > Integer.MAX_VALUE) {
                throw bad(field, "expected an integer >= " + min + ", got " + e);
            }
            return (int) v;
        }

        long longValue(JsonElement e, String field) {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                double d = e.getAsDouble();
                if (d == Math.rint(d) && d >= 0 && d < 9e15) {
                    return e.getAsLong();
                }
            }
            throw bad(field, "expected a non-negative integer, got " + e);
        }

        private static String leaf(String field) {
            return field.substring(field.lastIndexOf('.') + 1);
        }
    }
}
