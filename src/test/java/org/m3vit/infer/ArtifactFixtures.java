package org.m3vit.infer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.model.MultiTaskModel;

/** Freshly initialised artifacts for tests. */
final class ArtifactFixtures {

    private ArtifactFixtures() {}

    static Path initialised(ModelConfig config, Path file) throws IOException {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            ModelArtifact.save(new MultiTaskModel(config).initialize(m), file, Provenance.of(Map.of("seed", "7")));
        }
        return file;
    }
}
