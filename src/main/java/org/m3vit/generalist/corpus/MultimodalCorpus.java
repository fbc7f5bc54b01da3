package org.m3vit.generalist.corpus;

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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.m3vit.data.synth.MultimodalSynthesizer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.io.ImageFiles;

/**
 * The multimodal corpus on disk ({@link MultimodalSynthesizer} documents the layout), read whole into
 * memory: images and clips as normalised (C, H, W) float planes, every text tokenized with the model's
 * tokenizer. Every problem names the file (and the line of a {@code .jsonl}) and what is wrong.
 */
public final class MultimodalCorpus {

    /** The normalisation every pixel gets: (v/255 − mean) / std per channel (ImageNet's). */
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};

    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    public enum Split {
        TRAIN,
        VAL;

        public static Split parse(String s, String where) {
            return switch (s == null ? "" : s) {
                case "train" -> TRAIN;
                case "val" -> VAL;
                default -> throw InvalidInputException.file(where, "split must be train or val, got '" + s + "'");
            };
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A captioned image: (3, H, W) pixels, the dominant object's class, the caption and its token ids. */
    public record Image(String id, Split split, float[] pixels, int label, String caption, int[] tokens, int count) {}

    /** A clip: (T, 3, H, W) pixels and its motion class. */
    public record Video(String id, Split split, float[] pixels, int label) {}

    /** A text with its class (how many objects it mentions) and token ids. */
    public record Text(String id, Split split, String text, int[] tokens, int label) {}

    private final Path root;
    private final int height;
    private final int width;
    private final int frames;
    private final List<String> imageClasses;
    private final List<String> videoClasses;
    private final List<String> textClasses;
    private final List<Image> images;
    private final List<Video> videos;
    private final List<Text> texts;

    private MultimodalCorpus(
            Path root,
            int height,
            int width,
            int frames,
            List<String> imageClasses,
            List<String> videoClasses,
            List<String> textClasses,
            List<Image> images,
            List<Video> videos,
            List<Text> texts) {
        this.root = root;
        this.height = height;
        this.width = width;
        this.frames = frames;
        this.imageClasses = imageClasses;
        this.videoClasses = videoClasses;
        this.textClasses = textClasses;
        this.images = images;
        this.videos = videos;
        this.texts = texts;
    }

    /** The corpus's own tokenizer ({@code tokenizer.json} in its root, written with the corpus). */
    public static Path tokenizerFile(Path root) {
        return root.resolve("tokenizer.json");
    }

    /**
     * Reads the corpus in {@code root}, tokenizing its texts with {@code tokenizer}; a text longer than
     * {@code maxTokens} tokens is an error naming it.
     */
    public static MultimodalCorpus open(Path root, SubwordTokenizer tokenizer, int maxTokens) throws IOException {
        if (!Files.isDirectory(root)) {
            throw InvalidInputException.file(root, "the corpus root is not a directory");
        }
        Path meta = root.resolve("corpus.json");
        if (!Files.isRegularFile(meta)) {
            throw InvalidInputException.file(
                    meta, "missing: not a multimodal corpus (write one with m3vit synth --layout multimodal)");
        }
        JsonObject m = object(meta, Files.readString(meta, StandardCharsets.UTF_8));
        if (!MultimodalSynthesizer.FORMAT.equals(string(m, "format", meta.toString()))) {
            throw InvalidInputException.file(meta, "format must be " + MultimodalSynthesizer.FORMAT);
        }
        int version = integer(m, "version", meta.toString());
        if (version != MultimodalSynthesizer.VERSION) {
            throw InvalidInputException.file(
                    meta,
                    "version " + version + " is not supported (this m3vit reads " + MultimodalSynthesizer.VERSION
                            + ")");
        }
        JsonArray size = array(m, "image_size", meta.toString());
        int h = size.get(0).getAsInt();
        int w = size.get(1).getAsInt();
        int frames = integer(m, "frames", meta.toString());
        List<String> imageClasses = strings(m, "image_classes", meta.toString());
        List<String> videoClasses = strings(m, "video_classes", meta.toString());
        List<String> textClasses = strings(m, "text_classes", meta.toString());

        List<JsonObject> imageLines = lines(root.resolve("images.jsonl"));
        Image[] images = new Image[imageLines.size()];
        IOException[] failure = new IOException[1];
        IntStream.range(0, images.length).parallel().forEach(i -> {
            String where = root.resolve("images.jsonl") + " line " + (i + 1);
            JsonObject o = imageLines.get(i);
            String id = string(o, "id", where);
            String caption = string(o, "caption", where);
            try {
                images[i] = new Image(
                        id,
                        Split.parse(string(o, "split", where), where),
                        pixels(root.resolve("images").resolve(id + ".png"), h, w, 1),
                        label(imageClasses, string(o, "label", where), where),
                        caption,
                        tokens(tokenizer, caption, maxTokens, where),
                        integer(o, "count", where));
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        List<JsonObject> videoLines = lines(root.resolve("videos.jsonl"));
        Video[] videos = new Video[videoLines.size()];
        IntStream.range(0, videos.length).parallel().forEach(i -> {
            String where = root.resolve("videos.jsonl") + " line " + (i + 1);
            JsonObject o = videoLines.get(i);
            String id = string(o, "id", where);
            try {
                videos[i] = new Video(
                        id,
                        Split.parse(string(o, "split", where), where),
                        pixels(root.resolve("videos").resolve(id + ".png"), h, w, frames),
                        label(videoClasses, string(o, "label", where), where));
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        List<JsonObject> textLines = lines(root.resolve("texts.jsonl"));
        List<Text> texts = new ArrayList<>();
        for (int i = 0; i < textLines.size(); i++) {
            String where = root.resolve("texts.jsonl") + " line " + (i + 1);
            JsonObject o = textLines.get(i);
            String text = string(o, "text", where);
            texts.add(new Text(
                    string(o, "id", where),
                    Split.parse(string(o, "split", where), where),
                    text,
                    tokens(tokenizer, text, maxTokens, where),
                    label(textClasses, string(o, "label", where), where)));
        }
        return new MultimodalCorpus(
                root,
                h,
                w,
                frames,
                imageClasses,
                videoClasses,
                textClasses,
                List.of(images),
                List.of(videos),
                Collections.unmodifiableList(texts));
    }

    /** Checks the corpus's image size and clip length against a model's. */
    public void checkFits(int modelHeight, int modelWidth, int modelFrames) {
        Path meta = root.resolve("corpus.json");
        if (height != modelHeight || width != modelWidth) {
            throw InvalidInputException.file(
                    meta,
                    "image_size " + height + "x" + width + " differs from the model's model.image_size " + modelHeight
                            + "x" + modelWidth);
        }
        if (frames != modelFrames) {
            throw InvalidInputException.file(
                    meta, "frames " + frames + " differs from the model's model.frames " + modelFrames);
        }
    }

    private static int[] tokens(SubwordTokenizer tokenizer, String text, int max, String where) {
        int[] ids = tokenizer.encode(text);
        if (ids.length == 0) {
            throw InvalidInputException.file(where, "the text '" + text + "' has no tokens");
        }
        if (ids.length > max) {
            throw InvalidInputException.file(
                    where,
                    "the text '" + text + "' has " + ids.length + " tokens, more than model.text_length (" + max + ")");
        }
        return ids;
    }

    private static int label(List<String> classes, String label, String where) {
        int i = classes.indexOf(label);
        if (i < 0) {
            throw InvalidInputException.file(
                    where, "label '" + label + "' is not one of the corpus.json classes " + classes);
        }
        return i;
    }

    /** A PNG of {@code frames} stacked H×W frames → normalised (frames, 3, H, W) planes. */
    static float[] pixels(Path file, int h, int w, int frames) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "missing (listed in the corpus)");
        }
        ImageFiles.Pixels p;
        try {
            p = ImageFiles.readRgb(file);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.file(file, e.getMessage());
        }
        if (p.height != h * frames || p.width != w) {
            throw InvalidInputException.file(
                    file,
                    "is " + p.height + "x" + p.width + ", expected " + (h * frames) + "x" + w
                            + (frames > 1 ? " (" + frames + " frames of " + h + "x" + w + ")" : ""));
        }
        float[] out = new float[frames * 3 * h * w];
        int plane = h * w;
        for (int f = 0; f < frames; f++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int src = ((f * h + y) * w + x) * 3;
                    for (int c = 0; c < 3; c++) {
                        out[(f * 3 + c) * plane + y * w + x] = (p.data[src + c] / 255f - MEAN[c]) / STD[c];
                    }
                }
            }
        }
        return out;
    }

    private static List<JsonObject> lines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "missing: every multimodal corpus has it");
        }
        List<JsonObject> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(object(file + " line " + (i + 1), lines.get(i)));
            }
        }
        return out;
    }

    private static JsonObject object(Object where, String json) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw InvalidInputException.file(where, "expected a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw InvalidInputException.file(where, "malformed JSON (" + e.getMessage() + ")");
        }
    }

    private static JsonElement field(JsonObject o, String key, String where) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw InvalidInputException.file(where, "lacks the field '" + key + "'");
        }
        return e;
    }

    private static String string(JsonObject o, String key, String where) {
        JsonElement e = field(o, key, where);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw InvalidInputException.file(where, "field '" + key + "' must be a string, got " + e);
        }
        return e.getAsString();
    }

    private static int integer(JsonObject o, String key, String where) {
        JsonElement e = field(o, key, where);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw InvalidInputException.file(where, "field '" + key + "' must be a number, got " + e);
        }
        return e.getAsInt();
    }

    private static JsonArray array(JsonObject o, String key, String where) {
        JsonElement e = field(o, key, where);
        if (!e.isJsonArray() || e.getAsJsonArray().size() != 2) {
            throw InvalidInputException.file(where, "field '" + key + "' must be [height, width], got " + e);
        }
        return e.getAsJsonArray();
    }

    private static List<String> strings(JsonObject o, String key, String where) {
        JsonElement e = field(o, key, where);
        if (!e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
            throw InvalidInputException.file(where, "field '" + key + "' must be a non-empty list of names");
        }
        List<String> out = new ArrayList<>();
        e.getAsJsonArray().forEach(x -> out.add(x.getAsString()));
        return List.copyOf(out);
    }

    public Path root() {
        return root;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int frames() {
        return frames;
    }

    public List<String> imageClasses() {
        return imageClasses;
    }

    public List<String> videoClasses() {
        return videoClasses;
    }

    public List<String> textClasses() {
        return textClasses;
    }

    public List<Image> images(Split split) {
        return images.stream().filter(i -> i.split() == split).toList();
    }

    public List<Video> videos(Split split) {
        return videos.stream().filter(v -> v.split() == split).toList();
    }

    public List<Text> texts(Split split) {
        return texts.stream().filter(t -> t.split() == split).toList();
    }

    /** Every text of the train split that the vocabulary is built from: captions, texts and class names. */
    public static List<String> vocabularyTexts(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        for (String file : List.of("images.jsonl", "texts.jsonl")) {
            for (JsonObject o : lines(root.resolve(file))) {
                String where = root.resolve(file).toString();
                if (string(o, "split", where).equals("train")) {
                    out.add(string(o, file.startsWith("images") ? "caption" : "text", where));
                }
            }
        }
        JsonObject m = object(root.resolve("corpus.json"), Files.readString(root.resolve("corpus.json")));
        for (String key : List.of("image_classes", "video_classes", "text_classes")) {
            out.addAll(strings(m, key, root.resolve("corpus.json").toString()));
        }
        return out;
    }
}
