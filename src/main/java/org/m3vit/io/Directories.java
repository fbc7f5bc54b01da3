package org.m3vit.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Questions about output directories that commands ask before writing into them. */
public final class Directories {

    private Directories() {}

    /** Whether {@code dir} is a directory with at least one entry (false when it is missing). */
    public static boolean hasEntries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }
}
