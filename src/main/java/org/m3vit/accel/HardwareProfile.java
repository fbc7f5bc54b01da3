package org.m3vit.accel;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.m3vit.config.YamlValues;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.TextFiles;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The accelerator the model runs on: clock, MAC array, off-chip bandwidth, on-chip buffer, number formats
 * and energy costs. Read from YAML ({@code configs/hardware/*.yml}, whose comments give each value's source).
 *
 * @param macsPerCycle multiply-accumulates the array completes per cycle at these precisions
 * @param offchipBytesPerCycle sustained off-chip bytes per cycle (reads and writes share it)
 * @param onchipBytes all on-chip buffer memory (weights, activations, queues)
 * @param weightBits bits per stored weight, bias and norm parameter
 * @param activationBits bits per activation value held or moved (the image is read as 8-bit pixels)
 */
public record HardwareProfile(
        String name,
        double clockMhz,
        int macsPerCycle,
        double offchipBytesPerCycle,
        long onchipBytes,
        int weightBits,
        int activationBits,
        double macPj,
        double offchipPjPerByte,
        double onchipPjPerByte,
        double staticPowerW) {

    private static final Set<String> KEYS = Set.of(
            "name",
            "clock_mhz",
            "macs_per_cycle",
            "offchip_bytes_per_cycle",
            "onchip_bytes",
            "weight_bits",
            "activation_bits",
            "energy",
            "static_power_w");
    private static final Set<String> ENERGY_KEYS = Set.of("mac_pj", "offchip_pj_per_byte", "onchip_pj_per_byte");

    /** Checks every value; a bad one is an {@link InvalidInputException} naming its YAML key. */
    public HardwareProfile {
        positive("clock_mhz", clockMhz);
        positive("macs_per_cycle", macsPerCycle);
        positive("offchip_bytes_per_cycle", offchipBytesPerCycle);
        positive("onchip_bytes", onchipBytes);
        bits("weight_bits", weightBits);
        bits("activation_bits", activationBits);
        nonNegative("energy.mac_pj", macPj);
        nonNegative("energy.offchip_pj_per_byte", offchipPjPerByte);
        nonNegative("energy.onchip_pj_per_byte", onchipPjPerByte);
        nonNegative("static_power_w", staticPowerW);
    }

    public int weightBytes() {
        return weightBits / 8;
    }

    public int activationBytes() {
        return activationBits / 8;
    }

    public double clockHz() {
        return clockMhz * 1e6;
    }

    /** Cycles for the array to do {@code macs} multiply-adds (the array is assumed fully used). */
    public long computeCycles(long macs) {
        return ceilDiv(macs, macsPerCycle);
    }

    /** Cycles to move {@code bytes} between off-chip memory and the chip. */
    public long transferCycles(long bytes) {
        return bytes == 0 ? 0 : (long) Math.ceil(bytes / offchipBytesPerCycle);
    }

    public double millis(double cycles) {
        return cycles / clockHz() * 1e3;
    }

    /** The profile as written in YAML (for reports). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("clock_mhz", clockMhz);
        m.put("macs_per_cycle", macsPerCycle);
        m.put("offchip_bytes_per_cycle", offchipBytesPerCycle);
        m.put("onchip_bytes", onchipBytes);
        m.put("weight_bits", weightBits);
        m.put("activation_bits", activationBits);
        Map<String, Object> energy = new LinkedHashMap<>();
        energy.put("mac_pj", macPj);
        energy.put("offchip_pj_per_byte", offchipPjPerByte);
        energy.put("onchip_pj_per_byte", onchipPjPerByte);
        m.put("energy", energy);
        m.put("static_power_w", staticPowerW);
        return m;
    }

    /** Reads a profile; errors name the file and the key. */
    public static HardwareProfile load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "hardware profile not found");
        }
        return parse(new StringReader(TextFiles.read(file)), file.toString());
    }

    /** Parses profile YAML; {@code source} (a file name) prefixes every error. */
    public static HardwareProfile parse(Reader yaml, String source) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(YamlValues.loaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw InvalidInputException.file(source, "not valid YAML: " + e.getMessage());
        }
        try {
            Map<String, Object> top = mapping(root, "(top level)");
            known(top, KEYS, "");
            Map<String, Object> energy = mapping(required(top, "energy", ""), "energy");
            known(energy, ENERGY_KEYS, "energy.");
            Object name = required(top, "name", "");
            if (!(name instanceof String)) {
                throw InvalidInputException.key("name", "expected a string, got " + name);
            }
            return new HardwareProfile(
                    (String) name,
                    number(top, "clock_mhz", ""),
                    integer(top, "macs_per_cycle"),
                    number(top, "offchip_bytes_per_cycle", ""),
                    longInteger(top, "onchip_bytes"),
                    integer(top, "weight_bits"),
                    integer(top, "activation_bits"),
                    number(energy, "mac_pj", "energy."),
                    number(energy, "offchip_pj_per_byte", "energy."),
                    number(energy, "onchip_pj_per_byte", "energy."),
                    number(top, "static_power_w", ""));
        } catch (InvalidInputException e) {
            // The key was named without the file; say which file it is in.
            throw new InvalidInputException(e.kind(), e.subject(), e.getMessage() + " (in " + source + ")");
        }
    }

    // ---- checks ----

    private static void positive(String key, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw InvalidInputException.key(key, "must be a finite number > 0, got " + v);
        }
    }

    private static void nonNegative(String key, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw InvalidInputException.key(key, "must be a finite number >= 0, got " + v);
        }
    }

    private static void bits(String key, int v) {
        if (v < 8 || v > 64 || v % 8 != 0) {
            throw InvalidInputException.key(key, "must be a whole number of bytes (8, 16, 24, 32, … 64), got " + v);
        }
    }

    private static long ceilDiv(long a, long b) {
        return a == 0 ? 0 : (a + b - 1) / b;
    }

    // ---- YAML access ----

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapping(Object v, String key) {
        if (!(v instanceof Map)) {
            throw InvalidInputException.key(key, "expected a mapping of keys, got " + v);
        }
        return (Map<String, Object>) v;
    }

    private static void known(Map<String, Object> m, Set<String> keys, String prefix) {
        for (Object k : m.keySet()) {
            if (!keys.contains(String.valueOf(k))) {
                throw InvalidInputException.key(prefix + k, "unknown key; known: " + new TreeSet<>(keys));
            }
        }
    }

    private static Object required(Map<String, Object> m, String key, String prefix) {
        Object v = m.get(key);
        if (v == null) {
            throw InvalidInputException.key(prefix + key, "missing");
        }
        return v;
    }

    private static double number(Map<String, Object> m, String key, String prefix) {
        Object v = required(m, key, prefix);
        if (!(v instanceof Number)) {
            throw InvalidInputException.key(prefix + key, "expected a number, got " + v);
        }
        return ((Number) v).doubleValue();
    }

    private static long longInteger(Map<String, Object> m, String key) {
        Object v = required(m, key, "");
        if (!(v instanceof Integer || v instanceof Long)) {
            throw InvalidInputException.key(key, "expected an integer, got " + v);
        }
        return ((Number) v).longValue();
    }

    private static int integer(Map<String, Object> m, String key) {
        long v = longInteger(m, key);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw InvalidInputException.key(key, "value " + v + " is too large");
        }
        return (int) v;
    }
}
