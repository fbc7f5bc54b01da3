package org.m3vit.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.errors.Limits;

/**
 * Small text files read whole (configs, split lists, {@code checkpoint.json}, {@code metrics.jsonl}) and
 * strict JSON: a missing file, a directory, a file over {@link Limits#MAX_TEXT_BYTES}, bytes that are not
 * UTF-8 and malformed JSON are each an {@link InvalidInputException} naming the file and saying which,
 * never a bare "Is a directory" or "Input length = 1".
 */
public final class TextFiles {

    private static final TypeAdapter<JsonElement> ELEMENT = new Gson().getAdapter(JsonElement.class);

    private TextFiles() {}

    /** The file's bytes, checked to be a regular file of at most {@code maxBytes}. */
    public static byte[] readBytes(Path file, long maxBytes) throws IOException {
        if (Files.isDirectory(file)) {
            throw InvalidInputException.file(file, "is a directory, expected a file");
        }
        if (!Files.exists(file)) {
            throw InvalidInputException.file(file, "file not found");
        }
        long size = Files.size(file);
        Limits.check(
                InvalidInputException.Kind.FILE,
                file.toString(),
                "the file size (bytes)",
                size,
                maxBytes,
                "text_bytes");
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw InvalidInputException.file(file, "file not found");
        }
    }

    /** The file as UTF-8 text (a BOM is dropped). */
    public static String read(Path file) throws IOException {
        return decode(file.toString(), readBytes(file, Limits.MAX_TEXT_BYTES));
    }

    /** Strict UTF-8: an invalid byte is an error naming {@code source} and the byte's offset. */
    public static String decode(String source, byte[] bytes) {
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw InvalidInputException.file(
                    source, "is not UTF-8 text (invalid bytes at offset " + badOffset(bytes) + ")");
        }
    }

    private static int badOffset(byte[] bytes) {
        CharsetDecoder dec = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult r = dec.decode(in, CharBuffer.allocate(Math.max(16, bytes.length)), true);
        return r.isError() ? in.position() : bytes.length;
    }

    /** The file's lines (no line terminators), decoded as {@link #read}. */
    public static List<String> lines(Path file) throws IOException {
        return new ArrayList<>(read(file).lines().toList());
    }

    /**
     * Parses strict JSON (RFC 8259: no comments, single quotes, NaN or trailing data); {@code source} names it
     * in errors, which give the position but not the parser's advice.
     */
    public static JsonElement json(String source, String text) {
        JsonReader r = new JsonReader(new StringReader(text));
        r.setStrictness(Strictness.STRICT);
        try {
            JsonElement e = ELEMENT.read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw InvalidInputException.file(source, "not valid JSON: unexpected data after the value" + at(r));
            }
            return e;
        } catch (MalformedJsonException | JsonParseException | IllegalStateException | NumberFormatException e) {
            throw InvalidInputException.file(source, "not valid JSON" + at(r));
        } catch (IOException e) {
            throw InvalidInputException.file(source, "not valid JSON: " + firstSentence(e.getMessage()));
        } catch (StackOverflowError e) {
            throw InvalidInputException.file(source, "not valid JSON: nested too deeply");
        }
    }

    private static String at(JsonReader r) {
        String s = r.toString(); // "JsonReader at line L column C path $.x"
        int i = s.indexOf(" at line ");
        return i < 0 ? "" : " (" + s.substring(i + 1) + ")";
    }

    private static String firstSentence(String m) {
        if (m == null) {
            return "unreadable";
        }
        int i = m.indexOf("\nSee ");
        String s = i < 0 ? m : m.substring(0, i);
        i = s.indexOf("; use JsonReader");
        s = i < 0 ? s : s.substring(0, i);
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
