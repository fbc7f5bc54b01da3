package org.m3vit.runtime;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.m3vit.errors.InvalidInputException;

/**
 * The artifact metadata keys the runtime owns (all under {@value #PREFIX}); read and written only here.
 *
 * <pre>
 * m3vit.experts.layout   "expert_major" for a packed artifact; absent for the reference (stacked) layout
 * m3vit.experts.index    packed only: {"&lt;experts prefix&gt;": {"experts": E, "params": [names],
 *                          "crc32c": [one per expert, null for a dropped expert]}}
 * m3vit.experts.dropped  {"&lt;experts prefix&gt;": [expert ids]}: experts removed by per-task extraction;
 *                          they contribute nothing (zero weights in the stacked layout, absent when packed)
 * </pre>
 */
public final class ExpertMetadata {

    public static final String PREFIX = "m3vit.experts.";
    static final String KEY_LAYOUT = PREFIX + "layout";
    static final String KEY_INDEX = PREFIX + "index";
    static final String KEY_DROPPED = PREFIX + "dropped";
    static final String EXPERT_MAJOR = "expert_major";

    private ExpertMetadata() {}

    /** Whether {@code metadata} describes an expert-major (packed) artifact. */
    public static boolean packed(Path file, Map<String, String> metadata) {
        String layout = metadata.get(KEY_LAYOUT);
        if (layout == null) {
            return false;
        }
        if (!layout.equals(EXPERT_MAJOR)) {
            throw InvalidInputException.file(
                    file, KEY_LAYOUT + " '" + layout + "' is not a layout this build reads (" + EXPERT_MAJOR + ")");
        }
        return true;
    }

    /** Experts prefix → dropped expert ids (empty when none were dropped). */
    public static Map<String, Set<Integer>> dropped(Path file, Map<String, String> metadata) {
        Map<String, Set<Integer>> out = new LinkedHashMap<>();
        String text = metadata.get(KEY_DROPPED);
        if (text == null) {
            return out;
        }
        JsonObject o = object(file, KEY_DROPPED, text);
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            Set<Integer> ids = new TreeSet<>();
            if (!e.getValue().isJsonArray()) {
                throw InvalidInputException.file(file, KEY_DROPPED + "." + e.getKey() + ": expected a list of ids");
            }
            for (JsonElement id : e.getValue().getAsJsonArray()) {
                ids.add(integer(file, KEY_DROPPED + "." + e.getKey(), id));
            }
            out.put(e.getKey(), ids);
        }
        return out;
    }

    /** The {@link #KEY_DROPPED} entry for {@code dropped}, or nothing when no expert is dropped. */
    public static Map<String, String> droppedEntry(Map<String, Set<Integer>> dropped) {
        JsonObject o = new JsonObject();
        dropped.forEach((prefix, ids) -> {
            if (!ids.isEmpty()) {
                JsonArray a = new JsonArray();
                ids.forEach(a::add);
                o.add(prefix, a);
            }
        });
        return o.size() == 0 ? Map.of() : Map.of(KEY_DROPPED, o.toString());
    }

    static JsonObject object(Path file, String key, String text) {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (e.isJsonObject()) {
                return e.getAsJsonObject();
            }
        } catch (JsonParseException e) {
            // reported below
        }
        throw InvalidInputException.file(file, key + " is not a JSON object");
    }

    static int integer(Path file, String field, JsonElement e) {
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            if (d == Math.rint(d) && d >= 0 && d <= Integer.MAX_VALUE) {
                return (int) d;
            }
        }
        throw InvalidInputException.file(file, field + ": expected a non-negative integer, got " + e);
    }
}
