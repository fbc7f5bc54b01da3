package org.m3vit.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;

/** {@code m3vit pack}: rewrites a weights file of either layout as an expert-major artifact. */
public final class ExpertPacker {

    private ExpertPacker() {}

    /** What was packed. */
    public record Packed(Path file, int layers, int experts, int dropped, long expertBytes) {}

    /**
     * Packs {@code source} (a model of {@code config}) into {@code out}, with {@code metadata} as the
     * artifact's metadata (the runtime adds its layout keys). Dropped experts stay out of the file.
     */
    public static Packed pack(Path source, ModelConfig config, Map<String, String> metadata, Path out)
            throws IOException {
        if (source.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw InvalidInputException.file(out, "the packed artifact must not overwrite the weights it is made from");
        }
        MultiTaskModel structure = new MultiTaskModel(config); // shapes and names only: nothing is allocated
        List<ExpertLayer> layers = new ArrayList<>(ExpertLayer.of(structure).values());
        layers.sort((a, b) -> a.prefix().compareTo(b.prefix()));
        try (WeightFile file = WeightFile.open(source)) {
            ModelWeights.validate(structure, file.tensors());
            PackedArtifact.write(file.tensors(), layers, file.dropped(), metadata, out);
            int experts = 0;
            long bytes = 0;
            for (ExpertLayer l : layers) {
                experts += l.experts();
                bytes += l.bytes() * l.experts();
            }
            int dropped =
                    file.dropped().values().stream().mapToInt(s -> s.size()).sum();
            return new Packed(out, layers.size(), experts, dropped, bytes);
        }
    }
}
