package org.m3vit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory, from Linux's {@code /proc/self}: the current resident set, its peak since
 * start or since the last {@link #resetPeak}, which lets a benchmark give each variant its own peak.
 */
final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {}

    /** The resident set (VmRSS) in bytes, or -1 where /proc does not tell. */
    static long residentBytes() {
        return status("VmRSS:");
    }

    /** The peak resident set (VmHWM) in bytes, or -1 where /proc does not tell. */
    static long peakResidentBytes() {
        return status("VmHWM:");
    }

    /**
     * Sets the peak back to the current resident set (writing 5 to clear_refs, Linux 4.0+).
     *
     * @return whether the kernel accepted it; if not, later peaks are the process's since start
     */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A kB line of /proc/self/status in bytes, or -1 where it does not exist. */
    private static long status(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
