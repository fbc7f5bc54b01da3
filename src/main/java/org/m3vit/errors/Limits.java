package org.m3vit.errors;

import java.util.Locale;

/**
 * The resource limits that every input is checked against before anything is allocated for it, so that a
 * huge config, image or tensor header ends in an {@link InvalidInputException} that names it and the size
 * it asked for, never in an {@code OutOfMemoryError}, a hang or a killed process. Each default can be
 * raised (or lowered) with a system property, {@code -Dm3vit.limit.<name>=N} (the launcher passes
 * {@code JAVA_OPTS} through); docs/reliability.md lists them.
 */
public final class Limits {

    /** Trainable parameters of a model (float32: 4 bytes each, AdamW keeps 3 more copies). */
    public static final long MAX_PARAMETERS = get("parameters", 1_000_000_000L);

    /** Bytes of the largest activation of one image's forward pass (attention scores or an op's in + out). */
    public static final long MAX_ACTIVATION_BYTES = get("activation_bytes", 4L << 30);

    /** Pixels (width × height) of an image to decode: PIL's default decompression-bomb limit. */
    public static final long MAX_IMAGE_PIXELS = get("image_pixels", 89_478_485L);

    /** Elements of one tensor read from a file (.npy, safetensors, MAT): 2^28, 1 GiB as float32. */
    public static final long MAX_TENSOR_ELEMENTS = get("tensor_elements", 1L << 28);

    /** Threads a command may start (engine threads, loader workers, synthesis workers). */
    public static final int MAX_THREADS = (int) Math.min(get("threads", 256), 4096);

    /** Bytes of a text file read whole (YAML config, split list, checkpoint.json, metrics.jsonl). */
    public static final long MAX_TEXT_BYTES = get("text_bytes", 64L << 20);

    private Limits() {}

    private static long get(String name, long dflt) {
        String v = System.getProperty("m3vit.limit." + name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n > 0 ? n : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /**
     * Requires {@code requested ≤ limit}; the error names {@code what} (a file, a key), the quantity and both
     * numbers, and the property that raises the limit.
     */
    public static void check(
            InvalidInputException.Kind kind,
            String subject,
            String quantity,
            long requested,
            long limit,
            String property) {
        if (requested < 0 || requested > limit) {
            String asked = requested < 0 ? "more than 2^63" : String.format(Locale.ROOT, "%,d", requested);
            throw new InvalidInputException(
                    kind,
                    subject,
                    subject + ": " + quantity + " is " + asked + ", beyond the limit of "
                            + String.format(Locale.ROOT, "%,d", limit) + " (-Dm3vit.limit." + property
                            + "=N raises it)");
        }
    }

    /** {@link #check} for the elements of a tensor stored in a file. */
    public static void checkTensorElements(Object file, String tensor, long elements) {
        check(
                InvalidInputException.Kind.FILE,
                String.valueOf(file),
                "the element count" + (tensor == null ? "" : " of tensor '" + tensor + "'"),
                elements,
                MAX_TENSOR_ELEMENTS,
                "tensor_elements");
    }

    /** {@link #check} for an image's declared size, before it is decoded. */
    public static void checkImagePixels(Object file, long width, long height) {
        long pixels = width <= 0 || height <= 0 ? 0 : (width > Long.MAX_VALUE / height ? -1 : width * height);
        check(
                InvalidInputException.Kind.FILE,
                String.valueOf(file),
                "the pixel count of the " + width + "x" + height + " image",
                pixels,
                MAX_IMAGE_PIXELS,
                "image_pixels");
    }

    /** {@link #check} for a thread count (the field names the setting). */
    public static void checkThreads(String field, long threads) {
        if (threads < 1) {
            throw InvalidInputException.field(field, "must be >= 1, got " + threads);
        }
        check(InvalidInputException.Kind.FIELD, field, "the thread count", threads, MAX_THREADS, "threads");
    }

    /** The product of non-negative factors, or -1 when it does not fit in a long. */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f < 0) {
                return -1;
            }
            if (f != 0 && p > Long.MAX_VALUE / f) {
                return -1;
            }
            p *= f;
        }
        return p;
    }
}
