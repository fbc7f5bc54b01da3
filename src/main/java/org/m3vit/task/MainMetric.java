package org.m3vit.task;

import java.util.Locale;

/**
 * A task's main metric: the one Δm averages and the demo compares.
 *
 * @param key the metric's key in the metrics JSON ({@code mIoU}, {@code odsF}, {@code mean}, {@code rmse})
 * @param higherIsBetter whether a higher value is better (mIoU, odsF) or worse (angles, errors)
 * @param clearMargin the smallest absolute improvement that counts as clearly better, in the metric's unit
 *     (0.02 for fractions, 2° for normal angles, 0.05 m for depth RMSE), so that neither a tiny fraction nor
 *     a large error barely moving counts as a win
 * @param format how tables print a value ({@link String#format} pattern, unit included)
 */
public record MainMetric(String key, boolean higherIsBetter, double clearMargin, String format) {

    /** A fraction in [0, 1] where higher is better (mIoU, maxF, odsF). */
    public static MainMetric fraction(String key) {
        return new MainMetric(key, true, 0.02, "%.4f");
    }

    /** {@code value} as tables show it. */
    public String formatted(double value) {
        return String.format(Locale.ROOT, format, value);
    }
}
