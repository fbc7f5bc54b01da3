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
import org.m3vit.model.TimmImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit import-timm}: DeiT/timm ViT weights into a fresh model, saved with reference names. */
@Command(
        name = "import-timm",
        mixinStandardHelpOptions = true,
        description = "Initialise a model from a config, copy a timm/DeiT ViT checkpoint (safetensors) into its"
                + " backbone (pos-embed resized as the reference does; experts, gates and heads keep their init),"
                + " and save the whole model as safetensors with the reference names.")
final class ImportTimmCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--checkpoint", required = true, paramLabel = "deit.safetensors", description = "timm ViT weights.")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "W.safetensors", description = "Output weights file.")
    Path out;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed for the parameters not imported (default: ${DEFAULT-VALUE}).")
    int seed;

    @Override
    public Integer call() throws Exception {
        OutputPaths.requireNotInput(
                out, "--out", PredictCommand.inputs("--checkpoint", checkpoint, "--config", model.config));
        ModelConfig config = model.load();
        Engine.getInstance().setRandomSeed(seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskModel m = new MultiTaskModel(config).initialize(manager);
            TimmImport.Report r = TimmImport.load(m, checkpoint);
            ModelArtifact.save(
                    m,
                    out,
                    Provenance.of(Map.of(
                            "imported_from", checkpoint.getFileName().toString(), "seed", Integer.toString(seed))));
            System.out.printf(
                    "imported %d tensors, skipped %d (%s); wrote %s%n",
                    r.loaded().size(), r.skipped().size(), String.join(", ", r.skipped()), out);
        }
        return 0;
    }
}
