package org.m3vit.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Where the experts' weights live on storage, read one expert at a time. Implementations read only the
 * bytes of the expert asked for, with positioned reads, and fail with an {@code InvalidInputException}
 * naming the file and the expert when those bytes are missing or do not check out.
 */
interface ExpertStore {

    Path file();

    /**
     * Reads expert {@code expert} of {@code layer} into {@code buffer} (from position 0), each slice at its
     * {@link ExpertLayer#offsets()} as float32 little-endian. Safe to call from a loader thread while
     * other threads compute.
     */
    void read(ExpertLayer layer, int expert, ByteBuffer buffer) throws IOException;
}
