package org.m3vit.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.m3vit.errors.InvalidInputException;

/**
 * The YAML key {@code scheduler}: the learning-rate {@link Schedule}. The reference's {@code step} is not
 * supported.
 */
public enum ScheduleKind {
    /** lr0 · (1 − epoch/epochs)^0.9, constant within an epoch (the reference default). */
    POLY,
    /** Optional linear warm-up ({@code scheduler_kwargs.warmup_steps}), then cosine down to 0. */
    COSINE;

    /** The spelling in the YAML ({@code poly}, {@code cosine}). */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the YAML value (any case); an unsupported one is an error naming the key {@code scheduler}. */
    public static ScheduleKind parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (ScheduleKind k : values()) {
            if (k.yamlName().equals(v)) {
                return k;
            }
        }
        throw InvalidInputException.key(
                "scheduler",
                "'" + v + "' is not supported; expected "
                        + Arrays.stream(values()).map(ScheduleKind::yamlName).collect(Collectors.joining(" or ")));
    }
}
