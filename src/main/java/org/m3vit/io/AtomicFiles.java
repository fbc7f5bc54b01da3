package org.m3vit.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers never see a partial file: the content goes to a temporary file in the
 * same directory, is forced to disk, and is then renamed over the target in one step. If writing
 * fails, the previous file (if any) is left untouched and the temporary file is removed.
 */
public final class AtomicFiles {

    /** Produces a file's content. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    public static void write(Path target, Writer writer) throws IOException {
        write(target, writer, true);
    }

    /**
     * Like {@link #write(Path, Writer)} but without forcing the content to disk before the rename: still
     * never a partial file for readers, but after a power loss the file may be empty. Meant for bulk data
     * that can be regenerated (synthetic datasets write several files per image, and an fsync each would
     * dominate the run time).
     */
    public static void writeUnsynced(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content), false);
    }

    private static void write(Path target, Writer writer, boolean durable) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
        // One exclusive create of a randomly named sibling (cheaper than createTempFile, which reopens the
        // file and draws its name from SecureRandom; this matters when writing thousands of small files).
        Path tmp;
        FileChannel ch;
        while (true) {
            tmp = dir.resolve("." + target.getFileName() + "."
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                break;
            } catch (FileAlreadyExistsException e) {
                // name collision: draw another
            }
        }
        boolean moved = false;
        try {
            try (FileChannel c = ch) {
                OutputStream out = Channels.newOutputStream(c);
                writer.write(out);
                out.flush();
                if (durable) {
                    c.force(true);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }
}
