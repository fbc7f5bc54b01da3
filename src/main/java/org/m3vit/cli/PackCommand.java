package org.m3vit.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.runtime.ByteSize;
import org.m3vit.runtime.ExpertPacker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit pack}: an expert-major artifact, one contiguous aligned group per (layer, expert). */
@Command(
        name = "pack",
        mixinStandardHelpOptions = true,
        description = "Rewrite weights as an expert-major artifact: every tensor but the experts under its"
                + " reference name, then each (layer, expert)'s weights and biases as one contiguous group aligned to"
                + " 64 bytes, with its CRC32C, so a streamed predictor reads one expert with one positioned read and"
                + " checks it. The result is still a model artifact (it carries its config); --weights of predict,"
                + " eval and serve accept it.")
final class PackCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "W.safetensors",
            description = "Weights to pack: an m3vit artifact, or reference state-dict names with --config.")
    Path weights;

    @Option(names = "--out", required = true, paramLabel = "P.safetensors", description = "The packed artifact.")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelConfig config = ModelArtifact.resolveConfig(weights, model.loadIfGiven());
        ExpertPacker.Packed p = ExpertPacker.pack(weights, config, ModelArtifact.derivedMetadata(weights, config), out);
        System.out.println("wrote " + p.file() + ": " + p.layers() + " expert layers, " + p.experts() + " experts ("
                + ByteSize.format(p.expertBytes()) + ")" + (p.dropped() > 0 ? ", " + p.dropped() + " dropped" : ""));
        return 0;
    }
}
