package org.m3vit.io;

import java.util.Locale;

/** safetensors dtypes: element size, and whether m3vit can read them (floats become F32 in Java). */
public enum DType {
    F64(8, true, true),
    F32(4, true, true),
    F16(2, true, true),
    BF16(2, true, true),
    I64(8, true, false),
    I32(4, true, false),
    I16(2, false, false),
    I8(1, false, false),
    U8(1, false, false),
    U16(2, false, false),
    U32(4, false, false),
    U64(8, false, false),
    BOOL(1, false, false),
    F8_E4M3(1, false, false),
    F8_E5M2(1, false, false);

    private final int size;
    private final boolean supported;
    private final boolean floating;

    DType(int size, boolean supported, boolean floating) {
        this.size = size;
        this.supported = supported;
        this.floating = floating;
    }

    public int size() {
        return size;
    }

    public boolean supported() {
        return supported;
    }

    public boolean floating() {
        return floating;
    }

    /** The dtype named in a header, or null if the name is not a safetensors dtype at all. */
    public static DType find(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
