package org.m3vit.errors;

/**
 * Input that m3vit cannot use: a config key, a file, a tensor or a request field that is wrong. It names
 * what is wrong ({@link #subject()}: the config key, the file or the field) and says why in words that a
 * user of any front end understands; it never names a command-line flag, so the CLI can map it to exit
 * status 2 and the server to HTTP 400 without rewording it.
 *
 * <p>It extends {@link IllegalArgumentException} so that code which already treats illegal arguments as
 * bad input keeps doing so.
 */
public class InvalidInputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** What kind of thing {@link #subject()} is. */
    public enum Kind {
        /** A config key, dotted ({@code backbone_kwargs.moe_top_k}). */
        CONFIG_KEY,
        /** A file or directory. */
        FILE,
        /** A field of a request or a record ({@code inputs[0].shape}), or an argument of an API call. */
        FIELD
    }

    private final Kind kind;
    private final String subject;

    /** @param message the whole message; it should mention {@code subject} */
    public InvalidInputException(Kind kind, String subject, String message) {
        super(message);
        this.kind = kind;
        this.subject = subject;
    }

    public InvalidInputException(Kind kind, String subject, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.subject = subject;
    }

    /** A config key is wrong; the message starts with the key. */
    public static InvalidInputException key(String key, String problem) {
        return new InvalidInputException(Kind.CONFIG_KEY, key, key + ": " + problem);
    }

    /** A file is wrong; the message starts with the file. */
    public static InvalidInputException file(Object file, String problem) {
        return new InvalidInputException(Kind.FILE, String.valueOf(file), file + ": " + problem);
    }

    /** A field or argument is wrong; the message starts with its name. */
    public static InvalidInputException field(String field, String problem) {
        return new InvalidInputException(Kind.FIELD, field, field + ": " + problem);
    }

    public Kind kind() {
        return kind;
    }

    /** The config key, file or field that is wrong. */
    public String subject() {
        return subject;
    }
}
