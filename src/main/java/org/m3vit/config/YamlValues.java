package org.m3vit.config;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.TextFiles;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The one YAML reader of m3vit's configs, used by the model and the training sections alike, with one
 * set of rules: safe loading only (no {@code !!java} tags), overrides as dotted keys, and typed access
 * whose errors name the dotted key and the offending value. Numbers may be written {@code 1e-4}
 * (which YAML 1.1 alone would read as a string); booleans may be the reference's {@code True,}.
 *
 * <p>Limits (SnakeYAML {@link LoaderOptions}, checked while parsing): at most {@value #MAX_ALIASES} aliases
 * per document (billion laughs), nesting at most {@value #MAX_DEPTH} deep, at most {@value #MAX_CODE_POINTS}
 * code points; a file is read whole only up to {@code Limits.MAX_TEXT_BYTES}. A recursive alias
 * ({@code a: &x [*x]}) is an error, not a cyclic value. Duplicate keys are an error: YAML 1.2 forbids them
 * and the last one silently winning would hide a typo. Values echoed in errors are cut to
 * {@value #MAX_ECHO} characters.
 */
public final class YamlValues {

    /** A plain decimal number: what YAML 1.1 leaves as a string when it has an exponent but no dot. */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 50;
    static final int MAX_CODE_POINTS = 3 * 1024 * 1024;
    static final int MAX_ECHO = 80;

    private YamlValues() {}

    /** Reads a YAML file's top-level mapping. */
    public static Map<String, Object> load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "config file does not exist or is not a file");
        }
        return parse(TextFiles.read(file), file.toString());
    }

    /** The loader options of every YAML that m3vit reads (see the class comment). */
    public static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setMaxAliasesForCollections(MAX_ALIASES);
        o.setNestingDepthLimit(MAX_DEPTH);
        o.setCodePointLimit(MAX_CODE_POINTS);
        o.setAllowDuplicateKeys(false);
        o.setAllowRecursiveKeys(false);
        return o;
    }

    /** Parses YAML text ({@code source} names it in errors) into its top-level mapping. */
    public static Map<String, Object> parse(String yaml, String source) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(loaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw InvalidInputException.file(source, "not valid YAML: " + clip(problem(e)));
        } catch (StackOverflowError e) {
            throw InvalidInputException.file(source, "not valid YAML: nested too deeply");
        }
        requireAcyclic(root, source, new IdentityHashMap<>(), 0);
        return top(root, source);
    }

    /** Rejects a value that contains itself (a recursive alias) before anything walks it. */
    private static void requireAcyclic(Object v, String source, IdentityHashMap<Object, Boolean> path, int depth) {
        if (!(v instanceof Map) && !(v instanceof List)) {
            return;
        }
        if (path.containsKey(v) || depth > MAX_DEPTH) {
            throw InvalidInputException.file(
                    source, "not valid YAML for m3vit: a recursive alias (an anchor used" + " inside its own value)");
        }
        path.put(v, Boolean.TRUE);
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                requireAcyclic(e.getKey(), source, path, depth + 1);
                requireAcyclic(e.getValue(), source, path, depth + 1);
            }
        } else {
            for (Object x : (List<?>) v) {
                requireAcyclic(x, source, path, depth + 1);
            }
        }
        path.remove(v);
    }

    /** SnakeYAML's problem and where it is, without the echoed source lines. */
    private static String problem(YAMLException e) {
        if (e instanceof MarkedYAMLException m && m.getProblem() != null) {
            Mark at = m.getProblemMark();
            return m.getProblem().strip()
                    + (at == null ? "" : " (line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ")");
        }
        String msg = e.getMessage() == null ? "unreadable" : e.getMessage().strip();
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    /** A deep copy of {@code cfg} with each non-null dotted override put in. */
    public static Map<String, Object> withOverrides(Map<String, Object> cfg, Map<String, Object> overrides) {
        Map<String, Object> out = deepCopy(cfg);
        for (Map.Entry<String, Object> o : overrides.entrySet()) {
            if (o.getValue() != null) {
                put(out, o.getKey(), o.getValue());
            }
        }
        return out;
    }

    private static Map<String, Object> top(Object root, String source) {
        if (!(root instanceof Map)) {
            throw InvalidInputException.file(source, "the top level must be a mapping of keys");
        }
        return map(root, "(top level)");
    }

    public static void checkKeys(Map<String, Object> m, Set<String> known, String prefix) {
        List<String> unknown = new ArrayList<>();
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                unknown.add(prefix + k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.CONFIG_KEY,
                    unknown.get(0),
                    "unknown config key" + (unknown.size() > 1 ? "s " : " ") + unknown
                            + (prefix.isEmpty()
                                    ? ""
                                    : "; known under " + prefix.substring(0, prefix.length() - 1) + ": "
                                            + new TreeSet<>(known)));
        }
    }

    public static Map<String, Object> section(Map<String, Object> cfg, String key) {
        Object v = cfg.get(key);
        return v == null ? new LinkedHashMap<>() : map(v, key);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object v, String key) {
        if (!(v instanceof Map)) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.CONFIG_KEY,
                    key,
                    key + ": expected a mapping of keys, got " + describe(v));
        }
        for (Object k : ((Map<Object, Object>) v).keySet()) {
            if (!(k instanceof String)) {
                throw new InvalidInputException(
                        InvalidInputException.Kind.CONFIG_KEY, key, key + ": keys must be strings, got " + describe(k));
            }
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> deepCopy(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            out.put(e.getKey(), v instanceof Map ? deepCopy(map(v, e.getKey())) : v);
        }
        return out;
    }

    public static void put(Map<String, Object> cfg, String dotted, Object value) {
        String[] parts = dotted.split("\\.");
        Map<String, Object> m = cfg;
        for (int i = 0; i < parts.length - 1; i++) {
            Object child = m.get(parts[i]);
            if (child == null) {
                child = new LinkedHashMap<String, Object>();
                m.put(parts[i], child);
            }
            m = map(child, parts[i]);
        }
        m.put(parts[parts.length - 1], value);
    }

    public static String string(Map<String, Object> m, String key, String dflt) {
        String leaf = key.substring(key.lastIndexOf('.') + 1);
        Object v = m.get(leaf);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String)) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.CONFIG_KEY, key, key + ": expected a string, got " + describe(v));
        }
        return ((String) v).trim();
    }

    public static int integer(Map<String, Object> m, String prefix, String key, int dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer) {
            return (Integer) v;
        }
        if (v instanceof Long || v instanceof BigInteger) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.CONFIG_KEY,
                    prefix + key,
                    prefix + key + ": value " + v + " is too large");
        }
        if (v instanceof Double && ((Double) v) == Math.rint((Double) v) && Math.abs((Double) v) < 1e9) {
            return (int) (double) (Double) v;
        }
        throw new InvalidInputException(
                InvalidInputException.Kind.CONFIG_KEY,
                prefix + key,
                prefix + key + ": expected an integer, got " + describe(v));
    }

    public static double number(Map<String, Object> m, String prefix, String key, double dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                return d;
            }
        }
        // YAML 1.1 reads 1e-4 (no dot) as a string; one rule for every section: a plain decimal number is a number
        if (v instanceof String str && NUMBER.matcher(str.trim()).matches()) {
            double d = Double.parseDouble(str.trim());
            if (Double.isFinite(d)) {
                return d;
            }
        }
        throw new InvalidInputException(
                InvalidInputException.Kind.CONFIG_KEY,
                prefix + key,
                prefix + key + ": expected a finite number, got " + describe(v));
    }

    /**
     * A YAML boolean. The reference's {@code qkv_bias: True,} is the string "True," (truthy in Python),
     * so "True"/"False" with an optional trailing comma are read as the booleans they mean.
     */
    public static boolean bool(Map<String, Object> m, String prefix, String key, boolean dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof String) {
            String s = ((String) v).trim().toLowerCase(Locale.ROOT);
            if (s.endsWith(",")) {
                s = s.substring(0, s.length() - 1).trim();
            }
            if (s.equals("true")) {
                return true;
            }
            if (s.equals("false")) {
                return false;
            }
        }
        throw new InvalidInputException(
                InvalidInputException.Kind.CONFIG_KEY,
                prefix + key,
                prefix + key + ": expected True or False, got " + describe(v));
    }

    public static int[] size(Map<String, Object> m, String key, int[] dflt) {
        String leaf = key.substring(key.lastIndexOf('.') + 1);
        Object v = m.get(leaf);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer) {
            return new int[] {(Integer) v, (Integer) v};
        }
        if (v instanceof List
                && ((List<?>) v).size() == 2
                && ((List<?>) v).get(0) instanceof Integer
                && ((List<?>) v).get(1) instanceof Integer) {
            return new int[] {(Integer) ((List<?>) v).get(0), (Integer) ((List<?>) v).get(1)};
        }
        throw new InvalidInputException(
                InvalidInputException.Kind.CONFIG_KEY,
                key,
                key + ": expected [height, width] or one integer, got " + describe(v));
    }

    public static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        String type = v instanceof String
                ? "string"
                : v instanceof Boolean
                        ? "boolean"
                        : v instanceof Number
                                ? "number"
                                : v instanceof List
                                        ? "list"
                                        : v instanceof Map
                                                ? "mapping"
                                                : v.getClass().getSimpleName();
        String text = String.valueOf(v);
        return type + " '" + (text.length() > MAX_ECHO ? text.substring(0, MAX_ECHO) + "…" : text) + "'";
    }
}
