package org.m3vit.generalist.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.GeneralistArtifact;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskBatch;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.infer.Provenance;
import org.m3vit.nn.StateDict;
import org.m3vit.train.BestWeightsListener;
import org.m3vit.train.CheckpointListener;
import org.m3vit.train.EpochValidator;
import org.m3vit.train.LoopSettings;
import org.m3vit.train.MetricsLogListener;
import org.m3vit.train.ParameterOptimizer;
import org.m3vit.train.ProgressListener;
import org.m3vit.train.RunLayout;
import org.m3vit.train.ScheduleKind;
import org.m3vit.train.TrainableModel;
import org.m3vit.train.TrainingLoop;
import org.m3vit.train.TrainingLoopListener;

/**
 * {@code m3vit generalist train}: the corpus and its tokenizer, a seeded model, AdamW with warm-up and
 * cosine decay, the {@link TaskSampler}, {@link GeneralistStep} and the project's {@link TrainingLoop} with
 * its listeners (best weights by the mean main metric, atomic checkpoints, metrics.jsonl, progress).
 */
public final class GeneralistTraining {

    private GeneralistTraining() {}

    /**
     * @param resume a run directory or checkpoint.json to continue, or null
     * @param stopAfter end (checkpointed) after this many epochs; null = the config's
     * @param validate validate after each epoch (the best weights need it)
     * @param checkpointEvery also an atomic step checkpoint every that many steps within an epoch (0 = epoch
     *     ends only); a resume from one continues bit-identically
     * @param overwrite without a resume, a run directory that already holds a run is refused unless this is
     *     set; then that run's own files (checkpoints, weights, metrics) are deleted before training starts
     */
    public record Options(
            Path data,
            Path runDir,
            Path resume,
            Integer stopAfter,
            boolean validate,
            int checkpointEvery,
            boolean overwrite) {

        public Options {
            if (resume != null && overwrite) {
                throw new IllegalArgumentException("resuming a run and overwriting it exclude each other");
            }
        }

        public Options(Path data, Path runDir, Path resume, Integer stopAfter, boolean validate, int checkpointEvery) {
            this(data, runDir, resume, stopAfter, validate, checkpointEvery, false);
        }

        public Options(Path data, Path runDir, Path resume, Integer stopAfter, boolean validate) {
            this(data, runDir, resume, stopAfter, validate, 0);
        }
    }

    public static TrainingLoop.Result run(
            GeneralistConfig config, Options o, Consumer<String> progress, Consumer<String> log) throws IOException {
        return run(config, o, progress, log, List.of());
    }

    /** As {@link #run(GeneralistConfig, Options, Consumer, Consumer)}, with {@code extra} listeners after the run's own. */
    public static TrainingLoop.Result run(
            GeneralistConfig config,
            Options o,
            Consumer<String> progress,
            Consumer<String> log,
            List<TrainingLoopListener> extra)
            throws IOException {
        RunLayout layout = new RunLayout(o.runDir());
        if (o.resume() == null) {
            layout.requireFreshUnless(o.overwrite());
        }
        Path tokenizerFile = MultimodalCorpus.tokenizerFile(o.data());
        try (SubwordTokenizer tokenizer = SubwordTokenizer.load(tokenizerFile);
                NDManager manager = NDManager.newBaseManager()) {
            MultimodalCorpus corpus =
                    MultimodalCorpus.open(o.data(), tokenizer, config.model().textLength());
            corpus.checkFits(
                    config.model().imageHeight(),
                    config.model().imageWidth(),
                    config.model().frames());
            if (o.resume() == null && o.overwrite()) {
                // only now that the corpus opened: a mistyped --data must not cost the old run its files
                for (Path f : layout.trainingFiles()) {
                    Files.deleteIfExists(f);
                }
            }
            GeneralistModel model = newModel(config, tokenizer, manager);
            TrainingLoop<TaskBatch> loop = loop(
                            config, model, corpus, tokenizer, new RunLayout(o.runDir()), manager, o.validate())
                    .onLog(log)
                    .checkpointEvery(o.checkpointEvery());
            RunLayout run = loop.run();
            loop.addListener(new BestWeightsListener(run, loop.model(), log))
                    .addListener(new CheckpointListener(run, loop.model(), loop.optimizer()))
                    .addListener(new MetricsLogListener(run))
                    .addListener(new ProgressListener(progress, log));
            extra.forEach(loop::addListener);
            if (o.resume() != null) {
                loop.resume(o.resume());
            }
            loop.fit(o.stopAfter() == null ? config.train().epochs() : o.stopAfter());
            return loop.result();
        }
    }

    /** The model a run starts from: initialised after seeding the engine with the run's seed. */
    public static GeneralistModel newModel(GeneralistConfig config, SubwordTokenizer tokenizer, NDManager manager) {
        Engine.getInstance().setRandomSeed(TrainingLoop.stepSeed(config.train().seed(), -1, 0));
        return new GeneralistModel(
                        config.model(),
                        tokenizer.vocabSize(),
                        GeneralistTask.all().size())
                .initialize(manager);
    }

    /** The training loop of {@code model} on {@code corpus}, without listeners. */
    public static TrainingLoop<TaskBatch> loop(
            GeneralistConfig config,
            GeneralistModel model,
            MultimodalCorpus corpus,
            SubwordTokenizer tokenizer,
            RunLayout run,
            NDManager manager,
            boolean validate) {
        TrainableModel trainable = trainable(model, config, tokenizer);
        ParameterStore ps = new ParameterStore(manager, false);
        TaskContext context = new TaskContext(
                new SequenceEncoder(model, ps, tokenizer.speId(), tokenizer.padId(), null), manager, tokenizer, corpus);
        return loop(config, trainable, context, run, manager, validate);
    }

    /**
     * The training loop of {@code trainable} (whose parameters that require gradients are the ones trained)
     * through {@code context}'s encoder, without listeners: what prompt tuning and fine-tuning reuse.
     */
    public static TrainingLoop<TaskBatch> loop(
            GeneralistConfig config,
            TrainableModel trainable,
            TaskContext context,
            RunLayout run,
            NDManager manager,
            boolean validate) {
        Map<String, Parameter> parameters = trainable.parameters();
        List<Parameter> withGradients = TrainingLoop.enableGradients(parameters);
        var t = config.train();
        ParameterOptimizer optimizer = new ParameterOptimizer.AdamW(
                parameters, t.beta1(), t.beta2(), t.eps(), t.weightDecay(), GeneralistTraining::decays);
        GeneralistStep step = new GeneralistStep(config, context, withGradients, optimizer, manager);
        EpochValidator validator = validate ? epoch -> validate(config, context) : null;
        LoopSettings settings = new LoopSettings(
                t.epochs(), t.seed(), config.hash(), ScheduleKind.COSINE, t.lr(), t.warmupSteps(), false);
        return new TrainingLoop<>(
                settings,
                trainable,
                new TaskSampler(config, context.corpus(), context.tokenizer()),
                step,
                optimizer,
                validator,
                run,
                manager);
    }

    /**
     * Weight decay on the weight matrices only: not on norms, biases, embeddings and position tables,
     * the temperatures, or the gates and attribute embeddings (the reference's WEIGHT_DECAY_WG = 0).
     */
    static boolean decays(String name) {
        return ParameterOptimizer.decaysByDefault(name)
                && !name.contains("embed")
                && !name.contains("logit_scale")
                && !name.contains(".gate.")
                && !name.contains(".condition.");
    }

    /** Validation: every trained task's metrics on up to val_items items; the score is the mean main metric. */
    static EpochValidator.Validation validate(GeneralistConfig config, TaskContext context) {
        Map<String, Map<String, Double>> val = new LinkedHashMap<>();
        double sum = 0;
        for (String id : config.taskIds()) {
            GeneralistTask task = GeneralistTask.get(id);
            Map<String, Double> m = task.evaluate(
                    context, MultimodalCorpus.Split.VAL, config.train().valItems());
            val.put(id, m);
            sum += m.get(task.mainMetric().key());
        }
        return new EpochValidator.Validation(val, sum / config.taskIds().size());
    }

    /** The generalist as the loop, its checkpoints and listeners see it. */
    public static TrainableModel trainable(GeneralistModel model, GeneralistConfig config, SubwordTokenizer tokenizer) {
        Map<String, Parameter> parameters = StateDict.parameters(model);
        return new TrainableModel() {
            @Override
            public Map<String, Parameter> parameters() {
                return parameters;
            }

            @Override
            public List<String> taskIds() {
                return config.taskIds();
            }

            @Override
            public void saveArtifact(Path file, Provenance provenance) throws IOException {
                GeneralistArtifact.save(model, config, tokenizer, file, provenance);
            }

            @Override
            public void loadWeights(Path file) throws IOException {
                GeneralistArtifact.loadWeights(model, file);
            }

            @Override
            public String selectionMetric() {
                return "score";
            }
        };
    }

    /** Checks a data directory before the engine starts. */
    public static void checkData(Path data) {
        if (!Files.isDirectory(data)) {
            throw InvalidInputException.file(data, "the corpus root is not a directory");
        }
    }
}
