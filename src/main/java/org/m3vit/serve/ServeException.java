package org.m3vit.serve;

/**
 * A request that cannot be answered for a reason other than malformed input (which is an
 * {@link org.m3vit.errors.InvalidInputException}, HTTP 400): an unknown model or task (404), a body over
 * the limit (413), a full queue, a model still loading or a server shutting down (503, with the seconds
 * after which to retry), or a request that waited too long (504).
 */
public final class ServeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final int retryAfterSeconds;

    private ServeException(int status, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ServeException notFound(String message) {
        return new ServeException(404, message, 0);
    }

    public static ServeException tooLarge(String message) {
        return new ServeException(413, message, 0);
    }

    public static ServeException unavailable(String message, int retryAfterSeconds) {
        return new ServeException(503, message, retryAfterSeconds);
    }

    public static ServeException timeout(String message) {
        return new ServeException(504, message, 0);
    }

    public int status() {
        return status;
    }

    /** Seconds for a {@code Retry-After} header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
