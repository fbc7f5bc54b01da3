package org.m3vit.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body without ever holding more than the limit: a declared Content-Length over it is
 * refused before anything is kept, and a chunked body is cut off one byte past it.
 *
 * <p>A refused body is first read to its end and thrown away, up to {@link #DRAIN_BYTES} in all, through one
 * small buffer. The client is usually still sending it; a server that answers and closes with unread bytes
 * makes the kernel reset the connection, and the client then sees no answer at all instead of the 413.
 * Beyond the drain limit the connection is given up on.
 */
final class BoundedBody {

    static final long DRAIN_BYTES = 64L << 20;

    private BoundedBody() {}

    /** @param declaredLength the Content-Length, or -1 when the body is chunked */
    static byte[] read(InputStream in, long declaredLength, long maxBytes) throws IOException {
        if (declaredLength > maxBytes) {
            drain(in, new byte[65536], 0);
            throw tooLarge(declaredLength + " bytes", maxBytes);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 8192);
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBytes) {
                drain(in, buf, total);
                throw tooLarge("more than " + maxBytes + " bytes", maxBytes);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Reads and discards what is left of a body the server will not use (the request was refused before
     * its body was read), so that the answer reaches the client instead of a connection reset.
     */
    static void discardRest(InputStream in) {
        drain(in, new byte[65536], 0);
    }

    /** Reads and discards the rest of {@code in}, stopping once {@link #DRAIN_BYTES} have been read in all. */
    private static void drain(InputStream in, byte[] buf, long alreadyRead) {
        long total = alreadyRead;
        try {
            int n;
            while (total < DRAIN_BYTES && (n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException e) {
            // the client went away: there is nobody left to answer
        }
    }

    private static ServeException tooLarge(String size, long max) {
        return ServeException.tooLarge("the request body is " + size + "; at most " + max + " bytes are accepted"
                + " (the server's body limit)");
    }
}
