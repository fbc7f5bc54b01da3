package org.m3vit.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.Provenance;
import org.m3vit.io.OutputPaths;
import org.m3vit.model.MultiTaskModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit init-weights}: a freshly initialised model (reference init) saved with reference names. */
@Command(
        name = "init-weights",
        mixinStandardHelpOptions = true,
        description = "Initialise a model from a config (the reference's initialisation) and save it as"
                + " safetensors with the reference state-dict names.")
final class InitWeightsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--out", required = true, paramLabel = "W.safetensors", description = "Output weights file.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    int seed;

    @Override
    public Integer call() throws Exception {
        OutputPaths.requireNotInput(out, "--out", PredictCommand.inputs("--config", model.config));
        ModelConfig config = model.load();
        Engine.getInstance().setRandomSeed(seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskModel m = new MultiTaskModel(config).initialize(manager);
            ModelArtifact.save(m, out, Provenance.of(Map.of("seed", Integer.toString(seed))));
        }
        System.out.println("wrote " + out);
        return 0;
    }
}
