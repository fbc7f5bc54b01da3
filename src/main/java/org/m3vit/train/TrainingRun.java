package org.m3vit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.data.Augmentation;
import org.m3vit.data.MultiTaskDataset;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.SampleBatch;
import org.m3vit.data.Split;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.OutputPaths;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.model.PosEmbedInterpolation;
import org.m3vit.task.Task;

/**
 * Wires a {@link TrainConfig} to data, model, validator, a {@link TrainingLoop} and its
 * {@link StandardListeners}: what {@code m3vit train} runs.
 */
public final class TrainingRun {

    /**
     * Where and how to run. {@code resume} and {@code pretrained} may be null; {@code stopAfterEpoch}: end
     * (checkpointed) after that many epochs, null = train to the end; {@code checkpointEvery}: also a step
     * checkpoint every that many steps (0 = epoch ends only); {@code overwrite}: a run directory that
     * already holds a run is started anew (its training files are deleted) instead of refused.
     */
    public record Options(
            Path dataRoot,
            Path runDir,
            Path resume,
            Path pretrained,
            boolean posEmbFromPretrained,
            boolean validate,
            Integer stopAfterEpoch,
            int checkpointEvery,
            boolean overwrite) {

        public Options(
                Path dataRoot,
                Path runDir,
                Path resume,
                Path pretrained,
                boolean posEmbFromPretrained,
                boolean validate,
                Integer stopAfterEpoch) {
            this(dataRoot, runDir, resume, pretrained, posEmbFromPretrained, validate, stopAfterEpoch, 0, false);
        }
    }

    private TrainingRun() {}

    public static TrainingLoop.Result run(
            TrainConfig config, Options o, Consumer<String> progress, Consumer<String> log) throws IOException {
        Path root = o.dataRoot() != null ? o.dataRoot() : config.dataRoot();
        if (root == null) {
            throw InvalidInputException.key(
                    "data_root", "no dataset root: set data_root in the config or give the" + " run a dataset root");
        }
        if (!Files.isDirectory(root)) {
            throw InvalidInputException.file(root, "the dataset root is not a directory");
        }
        RunLayout layout = new RunLayout(o.runDir());
        OutputPaths.requireOutsideDataset(o.runDir(), "the run directory", root);
        if (o.resume() == null) {
            layout.requireFreshUnless(o.overwrite());
        }
        if (Files.isDirectory(o.runDir()) && !Files.isWritable(o.runDir())) {
            // before an epoch is spent: a read-only run directory could never take a checkpoint
            throw new FileSystemException(
                    o.runDir().toString(), null, "not writable (a read-only file system, or no permission)");
        }
        var tasks = config.model().tasks();
        EnumSet<Task> enabled = EnumSet.copyOf(tasks.tasks());
        MultiTaskDataset train = trainSet(config, root);
        if (o.resume() == null && o.overwrite()) {
            for (Path f : layout.trainingFiles()) {
                Files.deleteIfExists(f);
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Validator validator = null;
            if (o.validate()) {
                MultiTaskReader valReader = MultiTaskReader.open(tasks.dataset(), root, Split.VAL, enabled);
                validator = valReader.size() == 0 ? null : new EvaluatorValidator(valReader, config.valBatch());
            }
            MultiTaskModel model = newModel(config, manager);
            if (o.pretrained() != null && o.resume() == null) {
                loadPretrained(model, o.pretrained(), o.posEmbFromPretrained(), o.runDir());
                log.accept("initialised from " + o.pretrained());
            }
            TrainingLoop<SampleBatch> loop = TrainingLoop.multiTask(config, model, train, validator, layout, manager)
                    .onLog(log)
                    .checkpointEvery(o.checkpointEvery());
            StandardListeners.of(loop, progress, log).forEach(loop::addListener);
            if (o.resume() != null) {
                loop.resume(o.resume());
            }
            loop.fit(o.stopAfterEpoch() == null ? config.epochs() : o.stopAfterEpoch());
            return loop.result();
        }
    }

    /** The train split of {@code root}, augmented as the reference trains, in the run's seeded order. */
    static MultiTaskDataset trainSet(TrainConfig config, Path root) throws IOException {
        var tasks = config.model().tasks();
        return MultiTaskDataset.builder()
                .setReader(MultiTaskReader.open(tasks.dataset(), root, Split.TRAIN, EnumSet.copyOf(tasks.tasks())))
                .setAugmentation(Augmentation.train(
                        tasks.dataset(),
                        config.model().imgHeight(),
                        config.model().imgWidth()))
                .optSeed(config.seed())
                .optCacheBytes(trainCacheBytes())
                .build();
    }

    /**
     * Memory for the train split's decoded samples: 1 GiB, or a quarter of the JVM's heap if that is less.
     * Decoding runs next to the engine on the same cores; with the demo's 480 samples (315 MB) cached, a
     * demo M³ViT epoch took 12.9 s instead of 15.1 s (docs/benchmarks.md).
     */
    static long trainCacheBytes() {
        return Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * The model a run starts from: initialised after seeding the engine with the run's seed, so the same
     * config and seed always give the same initial weights (the demo evaluates exactly this untrained model).
     */
    public static MultiTaskModel newModel(TrainConfig config, NDManager manager) {
        Engine.getInstance().setRandomSeed(TrainingLoop.stepSeed(config.seed(), -1, 0));
        return new MultiTaskModel(config.model()).initialize(manager);
    }

    /**
     * Loads an m3vit weights file. With {@code posEmb}, a pos_embed of another grid is resized to this
     * model's grid (the reference's --pos_emb_from_pretrained); otherwise every shape must match.
     */
    static void loadPretrained(MultiTaskModel model, Path file, boolean posEmb, Path scratchDir) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "the pretrained weights are not a file");
        }
        if (!posEmb) {
            ModelWeights.load(model, file);
            return;
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.tensors().keySet()) {
                tensors.put(name, f.read(name));
            }
        }
        String key = tensors.containsKey("backbone.pos_embed") ? "backbone.pos_embed" : "module.backbone.pos_embed";
        Tensor pe = tensors.get(key);
        var c = model.config();
        if (pe != null && pe.shape().length == 3 && pe.shape()[1] != 1 + (long) c.gridHeight() * c.gridWidth()) {
            float[] resized = PosEmbedInterpolation.resize(
                    pe.floats(), (int) pe.shape()[1], c.embedDim(), 1, c.gridHeight(), c.gridWidth());
            tensors.put(
                    key, Tensor.of(new long[] {1, 1 + (long) c.gridHeight() * c.gridWidth(), c.embedDim()}, resized));
        }
        Path tmp = new RunLayout(scratchDir).createScratchWeights();
        try {
            SafetensorsWriter.write(tmp, tensors, Map.of("format", "pt"));
            ModelWeights.load(model, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
