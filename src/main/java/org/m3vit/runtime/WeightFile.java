package org.m3vit.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.TensorReader;
import org.m3vit.model.ModelWeights;

/**
 * A weights file in either layout the runtime reads: the reference layout (stacked experts, what
 * training writes) or the expert-major one {@code m3vit pack} writes. Both present the whole state dict
 * under reference names ({@link #tensors()}, for loading whole models) and their experts one at a time
 * ({@link #experts()}, for streaming).
 */
public final class WeightFile implements Closeable {

    private final SafetensorsFile file;
    private final TensorReader tensors;
    private final ExpertStore experts;
    private final PackedArtifact packed;
    private final Map<String, Set<Integer>> dropped;
    private final FileIdentity identity;

    private WeightFile(SafetensorsFile file) throws IOException {
        this.file = file;
        Map<String, Set<Integer>> d = new LinkedHashMap<>(ExpertMetadata.dropped(file.path(), file.metadata()));
        if (ExpertMetadata.packed(file.path(), file.metadata())) {
            packed = PackedArtifact.open(file);
            tensors = packed.tensors();
            experts = packed;
            packed.absent().forEach((prefix, ids) -> {
                if (!ids.isEmpty()) {
                    d.computeIfAbsent(prefix, k -> new TreeSet<>()).addAll(ids);
                }
            });
        } else {
            packed = null;
            tensors = file;
            experts = new StackedExpertStore(file, ModelWeights.fileKeys(file));
        }
        dropped = d;
        identity = new FileIdentity(file.path());
    }

    /** Throws if the file was truncated or rewritten since it was opened; {@code what} is about to be read. */
    void checkUnchanged(String what) throws IOException {
        identity.check(what);
    }

    /** Opens {@code path}; a file that is not a readable safetensors file is an error naming it. */
    public static WeightFile open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw InvalidInputException.file(path, "weights file does not exist or is not a file");
        }
        SafetensorsFile st;
        try {
            st = SafetensorsFile.open(path);
        } catch (InvalidInputException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(InvalidInputException.Kind.FILE, path.toString(), e.getMessage(), e);
        }
        try {
            return new WeightFile(st);
        } catch (RuntimeException | IOException e) {
            st.close();
            throw e;
        }
    }

    public Path path() {
        return file.path();
    }

    /** Whether the file is an expert-major artifact. */
    public boolean packed() {
        return packed != null;
    }

    /** The whole state dict under reference names, experts stacked. */
    public TensorReader tensors() {
        return tensors;
    }

    ExpertStore experts() {
        return experts;
    }

    /** Experts that were dropped (they contribute nothing), by experts prefix. */
    public Map<String, Set<Integer>> dropped() {
        return dropped;
    }

    /** Checks that the file's experts are laid out as {@code layer} expects (packed artifacts only). */
    void checkLayout(ExpertLayer layer) {
        if (packed != null) {
            packed.checkLayout(layer);
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
