package org.m3vit.serve;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a load test measured: requests answered by HTTP status (0: no answer, e.g. a refused connection),
 * wall time, and the latencies of the successful (200) requests, sorted.
 */
public record LoadTestReport(
        long requests, double seconds, Map<Integer, Long> byStatus, long[] sortedOkNanos, int imagesPerRequest) {

    public long ok() {
        return byStatus.getOrDefault(200, 0L);
    }

    public long errors() {
        return requests - ok();
    }

    /** Successful requests per second. */
    public double throughput() {
        return ok() / seconds;
    }

    /** The p-th percentile (0..100) latency of successful requests in milliseconds (nearest rank), or NaN. */
    public double percentileMillis(double p) {
        if (sortedOkNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedOkNanos.length);
        return sortedOkNanos[Math.max(0, Math.min(sortedOkNanos.length - 1, rank - 1))] / 1e6;
    }

    /** Human-readable lines. */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "requests   %d in %.1f s: %.1f ok/s, %.1f images/s%n",
                requests,
                seconds,
                throughput(),
                throughput() * imagesPerRequest));
        b.append(String.format(
                Locale.ROOT,
                "latency    p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (200s)%n",
                percentileMillis(50),
                percentileMillis(95),
                percentileMillis(99),
                percentileMillis(100)));
        b.append("status    ");
        new TreeMap<>(byStatus).forEach((s, n) -> b.append(' ')
                .append(s == 0 ? "no-answer" : s)
                .append(": ")
                .append(n));
        b.append(String.format("%nerrors     %d%n", errors()));
        return b.toString();
    }

    /** One JSON object with the same numbers. */
    public String json() {
        StringBuilder st = new StringBuilder("{");
        new TreeMap<>(byStatus).forEach((s, n) -> st.append(st.length() > 1 ? "," : "")
                .append('"')
                .append(s)
                .append("\":")
                .append(n));
        st.append('}');
        return String.format(
                Locale.ROOT,
                "{\"requests\":%d,\"seconds\":%.3f,\"ok_per_s\":%.2f,\"images_per_s\":%.2f,"
                        + "\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"errors\":%d,\"by_status\":%s}",
                requests,
                seconds,
                throughput(),
                throughput() * imagesPerRequest,
                percentileMillis(50),
                percentileMillis(95),
                percentileMillis(99),
                percentileMillis(100),
                errors(),
                st);
    }
}
