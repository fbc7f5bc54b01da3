package org.m3vit.runtime;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m3vit.errors.InvalidInputException;

/** Sizes in bytes as people write them: {@code 64MiB}, {@code 1.5 GiB}, {@code 200MB}, {@code 4096}. */
public final class ByteSize {

    private static final Pattern SIZE =
            Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b?|b)?\\s*", Pattern.CASE_INSENSITIVE);

    private ByteSize() {}

    /**
     * Parses a size; binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal ones (kB, MB, GB, TB)
     * powers of 1000, a bare number is bytes.
     *
     * @param field what the size is for, named in the error
     */
    public static long parse(String text, String field) {
        Matcher m = text == null ? null : SIZE.matcher(text);
        if (m == null || !m.matches()) {
            throw InvalidInputException.field(
                    field, "expected a size such as 64MiB, 1.5GiB, 200MB or 4096 (bytes), got '" + text + "'");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = unit.contains("i");
        int power = "bkmgt".indexOf(unit.charAt(0));
        double bytes = value * Math.pow(binary ? 1024 : 1000, power);
        if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
            throw InvalidInputException.field(field, "size " + text + " is out of range");
        }
        return (long) Math.floor(bytes);
    }

    /** "12.3 MiB" (binary units, one decimal), or "512 B". */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
