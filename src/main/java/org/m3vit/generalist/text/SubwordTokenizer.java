package org.m3vit.generalist.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;

/**
 * The text tokenizer: a WordPiece {@code tokenizer.json} (see {@link WordPieceVocabulary}) run by the
 * HuggingFace tokenizers library through DJL's binding ({@code ai.djl.huggingface:tokenizers}, whose jar
 * carries the native library, so nothing is downloaded). Ids are those of the file's vocabulary; encoding
 * adds no special tokens (the model adds {@code [SPE]} and {@code [EOS]} where they belong). Encoding is
 * thread-safe; {@link #close} releases the native tokenizer.
 */
public final class SubwordTokenizer implements AutoCloseable {

    private final String json;
    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final HuggingFaceTokenizer library;

    private SubwordTokenizer(String json, String source) throws IOException {
        this.json = json;
        this.tokens = vocabulary(json, source);
        for (int i = 0; i < tokens.size(); i++) {
            ids.put(tokens.get(i), i);
        }
        for (String s : WordPieceVocabulary.SPECIALS) {
            if (!ids.containsKey(s)) {
                throw InvalidInputException.file(source, "the tokenizer's vocabulary lacks the special token " + s);
            }
        }
        try {
            library = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    Map.of("addSpecialTokens", "false", "maxLength", "4096", "modelMaxLength", "4096"));
        } catch (RuntimeException e) {
            throw InvalidInputException.file(
                    source, "not a tokenizer the tokenizers library accepts: " + e.getMessage());
        }
    }

    /** Loads a {@code tokenizer.json}. */
    public static SubwordTokenizer load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "no tokenizer here (the corpus's tokenizer.json)");
        }
        return new SubwordTokenizer(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** A tokenizer from the text of a {@code tokenizer.json}; {@code source} names it in errors. */
    public static SubwordTokenizer fromJson(String json, String source) throws IOException {
        return new SubwordTokenizer(json, source);
    }

    /** The WordPiece tokenizer of a vocabulary built from {@code texts}. */
    public static SubwordTokenizer build(Iterable<String> texts) throws IOException {
        return fromJson(WordPieceVocabulary.tokenizerJson(WordPieceVocabulary.tokens(texts)), "built vocabulary");
    }

    private static List<String> vocabulary(String json, String source) {
        try {
            JsonObject root = JsonParser.parseString(json).getAsJsonObject();
            JsonObject vocab = root.getAsJsonObject("model").getAsJsonObject("vocab");
            String[] byId = new String[vocab.size()];
            for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
                int id = e.getValue().getAsInt();
                if (id < 0 || id >= byId.length || byId[id] != null) {
                    throw InvalidInputException.file(
                            source,
                            "vocabulary ids must be 0.." + (byId.length - 1) + " without gaps; '" + e.getKey()
                                    + "' has " + id);
                }
                byId[id] = e.getKey();
            }
            return List.copyOf(Arrays.asList(byId));
        } catch (JsonSyntaxException | IllegalStateException | NullPointerException | ClassCastException e) {
            throw InvalidInputException.file(source, "not a WordPiece tokenizer.json (model.vocab): " + e.getMessage());
        }
    }

    /** The token ids of {@code text}, without special tokens. */
    public int[] encode(String text) {
        Encoding e = library.encode(text);
        long[] l = e.getIds();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) l[i];
        }
        return out;
    }

    /** The tokens of {@code text} as strings (continuation pieces start with {@code ##}). */
    public List<String> tokenize(String text) {
        return List.of(library.encode(text).getTokens());
    }

    /** The text of {@code ids}: continuation pieces joined to their word, special tokens skipped. */
    public String decode(int[] ids) {
        List<Long> kept = new ArrayList<>();
        for (int id : ids) {
            if (id >= WordPieceVocabulary.SPECIALS.size() || id < 0) {
                kept.add((long) id);
            }
        }
        long[] l = new long[kept.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = kept.get(i);
        }
        return library.decode(l, true);
    }

    public int vocabSize() {
        return tokens.size();
    }

    /** The id of {@code token}, or -1. */
    public int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    public String token(int id) {
        return tokens.get(id);
    }

    public int padId() {
        return ids.get(WordPieceVocabulary.PAD);
    }

    public int speId() {
        return ids.get(WordPieceVocabulary.SPE);
    }

    public int eosId() {
        return ids.get(WordPieceVocabulary.EOS);
    }

    /** The {@code tokenizer.json} text (what model artifacts embed). */
    public String json() {
        return json;
    }

    @Override
    public void close() {
        library.close();
    }
}
