package org.m3vit.runtime;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.TensorInfo;

/**
 * Experts in the reference layout: each parameter stacked (E, …) in one tensor. Expert e is read as one
 * positioned read per parameter, of just its slice. The file carries no checksums, so what can be
 * checked is that the bytes exist and the file is still the one opened: a file truncated or rewritten
 * after it was opened, or ending early, is an error naming the expert. (An expert-major artifact from
 * {@code m3vit pack} also checks every expert's CRC.)
 */
final class StackedExpertStore implements ExpertStore {

    private final SafetensorsFile file;
    private final Map<String, String> fileKeys;
    private final FileIdentity identity;

    /** @param fileKeys file key by model key (a DDP {@code module.} prefix removed) */
    StackedExpertStore(SafetensorsFile file, Map<String, String> fileKeys) throws IOException {
        this.file = file;
        this.fileKeys = fileKeys;
        this.identity = new FileIdentity(file.path());
    }

    @Override
    public Path file() {
        return file.path();
    }

    @Override
    public void read(ExpertLayer layer, int expert, ByteBuffer buffer) throws IOException {
        identity.check("expert " + layer.name(expert));
        for (int j = 0; j < layer.params().size(); j++) {
            String key = fileKeys.get(layer.tensor(j));
            TensorInfo info = file.info(key);
            long n = layer.numel(j);
            ByteBuffer slice = buffer.slice(Math.toIntExact(layer.offsets()[j]), Math.toIntExact(4 * n));
            try {
                file.readFloats(key, expert * n, Math.toIntExact(n), slice);
            } catch (EOFException e) {
                throw InvalidInputException.file(
                        file.path(),
                        "ends inside tensor '" + key + "' " + info.shapeString() + ": expert " + layer.name(expert)
                                + " is truncated");
            }
        }
    }
}
