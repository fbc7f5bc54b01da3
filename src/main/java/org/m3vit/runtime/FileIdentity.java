package org.m3vit.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.m3vit.errors.InvalidInputException;

/**
 * A weights file's size and modification time when it was opened. Experts are read long after, so before
 * each read the file must still be the one that was opened (and, for a packed artifact, CRC-checked):
 * a file truncated or rewritten in the meantime is an error naming it, not a source of weights.
 */
final class FileIdentity {

    private final Path file;
    private final long size;
    private final FileTime modified;

    FileIdentity(Path file) throws IOException {
        this.file = file;
        this.size = Files.size(file);
        this.modified = Files.getLastModifiedTime(file);
    }

    /** Throws if the file changed since it was opened; {@code what} names what was about to be read. */
    void check(String what) throws IOException {
        long now = Files.size(file);
        if (now < size) {
            throw InvalidInputException.file(
                    file,
                    "truncated while in use: " + now + " bytes now, " + size + " when it was opened; " + what
                            + " cannot be read");
        }
        if (now != size || !Files.getLastModifiedTime(file).equals(modified)) {
            throw InvalidInputException.file(
                    file,
                    "rewritten while in use (its size or modification time changed); " + what + " cannot be read");
        }
    }
}
