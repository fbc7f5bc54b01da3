package org.m3vit.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers never see a partial file: the content goes to a temporary file in the
 * same directory, is forced to disk, and is then renamed over the target in one step. If writing
 * fails (a full disk, a read-only directory), the previous file (if any) is left untouched, the temporary
 * file is removed, and the error names the target file.
 *
 * <p>{@link #injectFailureAfter} makes the next writes fail after a number of bytes, as a full disk does:
 * how the tests check that a failure midway leaves nothing behind.
 */
public final class AtomicFiles {

    /** Bytes after which writes fail (an injected full disk); negative: no failure. Tests only. */
    private static volatile long failAfterBytes = -1;

    /**
     * Makes every write fail with an {@link IOException} ("No space left on device (injected)") once it has
     * written {@code bytes} bytes of content; a negative value turns it off. For tests.
     */
    public static void injectFailureAfter(long bytes) {
        failAfterBytes = bytes;
    }

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
            } catch (AccessDeniedException e) {
                throw new AccessDeniedException(target.toString(), null, "cannot create a file in its directory");
            } catch (FileSystemException e) {
                // a read-only file system and the like: name the target, not the temporary
                throw new FileSystemException(target.toString(), null, e.getReason());
            }
        }
        boolean moved = false;
        try {
            try (FileChannel c = ch) {
                OutputStream out = Channels.newOutputStream(c);
                long limit = failAfterBytes;
                if (limit >= 0) {
                    out = new FailingStream(out, limit);
                }
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
        } catch (FileSystemException e) {
            throw e; // names its file already
        } catch (IOException e) {
            // "No space left on device" and the like name no file: say which one could not be written
            throw new IOException(
                    target + ": could not be written (" + e.getMessage() + "); the previous file,"
                            + " if any, is unchanged",
                    e);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Counts bytes and fails past a limit: the injected full disk. */
    private static final class FailingStream extends FilterOutputStream {
        private long left;

        FailingStream(OutputStream out, long limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                out.write(b, off, (int) left);
                left = 0;
                throw new IOException("No space left on device (injected)");
            }
            left -= len;
            out.write(b, off, len);
        }
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }
}
