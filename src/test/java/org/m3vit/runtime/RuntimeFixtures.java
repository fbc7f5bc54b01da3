package org.m3vit.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Provenance;
import org.m3vit.model.MultiTaskModel;

/** Models and inputs for the runtime tests: the PyTorch fixture's tiny multi-gate config (E = 4, top-2). */
final class RuntimeFixtures {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    private RuntimeFixtures() {}

    static ModelConfig multigate() throws IOException {
        return ConfigLoader.load(FIXTURES.resolve("multigate.yml"));
    }

    /** A freshly initialised artifact of {@code config} (fixed seed). */
    static Path artifact(ModelConfig config, Path file) throws IOException {
        Engine.getInstance().setRandomSeed(11);
        try (NDManager m = NDManager.newBaseManager()) {
            ModelArtifact.save(new MultiTaskModel(config).initialize(m), file, Provenance.of(Map.of("seed", "11")));
        }
        return file;
    }

    /** {@code n} normalised random inputs at the config's size. */
    static List<ModelInput> inputs(ModelConfig c, int n, long seed) {
        Random r = new Random(seed);
        List<ModelInput> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] chw = new float[c.inChans() * c.imgHeight() * c.imgWidth()];
            for (int j = 0; j < chw.length; j++) {
                chw[j] = (float) r.nextGaussian();
            }
            out.add(ModelInput.normalised(chw, c.inChans(), c.imgHeight(), c.imgWidth()));
        }
        return out;
    }
}
