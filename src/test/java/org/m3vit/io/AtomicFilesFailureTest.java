package org.m3vit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic writes that fail midway (an injected full disk, a writer that throws): the old file is
 * byte-identical afterwards, no temporary file is left, and the error names the target.
 */
class AtomicFilesFailureTest {

    @TempDir
    Path dir;

    @AfterEach
    void off() {
        AtomicFiles.injectFailureAfter(-1);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aWriteThatFailsMidwayLeavesTheOldFileAndNoTemporary() throws IOException {
        Path f = dir.resolve("w.safetensors");
        byte[] old = new byte[10_000];
        for (int i = 0; i < old.length; i++) {
            old[i] = (byte) (i * 31);
        }
        AtomicFiles.write(f, old);
        for (long after : new long[] {0, 1, 4096, 9_999}) {
            AtomicFiles.injectFailureAfter(after);
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, new byte[20_000]));
            assertTrue(
                    e.getMessage().startsWith(f.toString()) && e.getMessage().contains("No space left"),
                    e.getMessage());
            assertArrayEquals(old, Files.readAllBytes(f), "after failing at byte " + after);
            assertEquals(List.of("w.safetensors"), names());
        }
        // a real tensor file through its writer, failing halfway
        AtomicFiles.injectFailureAfter(300);
        assertThrows(
                IOException.class,
                () -> SafetensorsWriter.write(f, Map.of("t", Tensor.of(new long[] {100}, new float[100])), Map.of()));
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("w.safetensors"), names());
        // a writer that throws something else
        AtomicFiles.injectFailureAfter(-1);
        assertThrows(
                IllegalStateException.class,
                () -> AtomicFiles.write(f, out -> {
                    out.write(new byte[500]);
                    throw new IllegalStateException("boom");
                }));
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("w.safetensors"), names());
        AtomicFiles.write(f, new byte[] {1, 2});
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(f), "works again once the disk has room");
    }
}
