package org.m3vit.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body without ever holding more than the limit: a declared Content-Length over it is
 * refused before reading, and a chunked body is cut off one byte past it.
 */
final class BoundedBody {

    private BoundedBody() {}

    /** @param declaredLength the Content-Length, or -1 when the body is chunked */
    static byte[] read(InputStream in, long declaredLength, long maxBytes) throws IOException {
        if (declaredLength > maxBytes) {
            throw tooLarge(declaredLength + " bytes", maxBytes);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 8192);
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBytes) {
                throw tooLarge("more than " + maxBytes + " bytes", maxBytes);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static ServeException tooLarge(String size, long max) {
        return ServeException.tooLarge("the request body is " + size + "; at most " + max + " bytes are accepted"
                + " (the server's body limit)");
    }
}
