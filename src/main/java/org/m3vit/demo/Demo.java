package org.m3vit.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.eval.EvaluationResult;
import org.m3vit.eval.MetricsJson;
import org.m3vit.eval.MetricsSummary;
import org.m3vit.eval.SplitEvaluator;
import org.m3vit.eval.TrivialBaseline;
import org.m3vit.infer.Predictor;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.Directories;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.report.ExamplePrediction;
import org.m3vit.report.ExamplePredictions;
import org.m3vit.report.ReportWriter;
import org.m3vit.report.RunData;
import org.m3vit.task.Task;
import org.m3vit.train.RunLayout;
import org.m3vit.train.TrainConfig;
import org.m3vit.train.TrainingLoop;
import org.m3vit.train.TrainingRun;

/**
 * {@code m3vit demo}: the whole pipeline on synthetic data, end to end.
 * <ol>
 *   <li>synthesise a dataset in the config's layout (unless the data directory already holds one);</li>
 *   <li>fit and score the trivial predictor ({@link TrivialBaseline});</li>
 *   <li>for the dense multi-task ViT and for M³ViT, on the same data, epochs and seed: score the untrained
 *       model, train it, score the trained model (the same {@link SplitEvaluator} as {@code m3vit eval});</li>
 *   <li>write the report (tables, loss curves, metric bars, expert usage, example predictions) and the
 *       {@link Comparison}.</li>
 * </ol>
 * Everything goes under {@code out}: {@code data/}, {@code runs/<model>/} (checkpoints, metrics.jsonl,
 * results/metrics.json) and {@code report/}.
 */
public final class Demo {

    /**
     * @param out demo directory
     * @param data dataset root (synthesised if missing or empty)
     * @param images images to synthesise (train + val)
     * @param epochs epochs for both models, or null for the configs' own
     * @param examples val images in the report's example grid
     * @param validate score the val split after every epoch (validation curves in the report; slower)
     */
    public record Settings(
            Path out,
            Path data,
            Path denseConfig,
            Path moeConfig,
            int images,
            Integer epochs,
            long seed,
            int examples,
            int threads,
            boolean validate) {}

    /** What the demo produced. */
    public record Result(Comparison comparison, List<Cost> costs, Path report, double seconds) {

        /** The cost table as aligned text, or as Markdown. */
        public String costTable(boolean markdown) {
            return Cost.table(costs, markdown);
        }
    }

    /** A model the demo trains: its display name, training config and run directory. */
    private record Contender(String name, TrainConfig config, RunLayout run) {}

    private static final String DENSE = "dense ViT";
    private static final String MOE = "M³ViT";

    private final Settings s;
    private final Consumer<String> progress;
    private final Consumer<String> log;
    private final long start = System.nanoTime();

    private Demo(Settings s, Consumer<String> progress, Consumer<String> log) {
        this.s = s;
        this.progress = progress;
        this.log = log;
    }

    public static Result run(Settings s, Consumer<String> progress, Consumer<String> log) throws IOException {
        return new Demo(s, progress, log).run();
    }

    private Result run() throws IOException {
        if (s.images() < 10) {
            throw InvalidInputException.field(
                    "images", "must be >= 10 (train and val both need images), got " + s.images());
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (s.epochs() != null) {
            if (s.epochs() < 1) {
                throw InvalidInputException.field("epochs", "must be >= 1, got " + s.epochs());
            }
            overrides.put("epochs", s.epochs());
        }
        overrides.put("seed", s.seed());
        TrainConfig dense = TrainConfig.load(s.denseConfig(), overrides);
        TrainConfig moe = TrainConfig.load(s.moeConfig(), overrides);
        checkPair(dense.model(), moe.model());
        ModelConfig c = moe.model();

        List<Contender> contenders = List.of(
                new Contender(
                        DENSE, dense, new RunLayout(s.out().resolve("runs").resolve("dense"))),
                new Contender(MOE, moe, new RunLayout(s.out().resolve("runs").resolve("m3vit"))));
        checkOutputs(contenders);
        ensureDataset(c);
        EnumSet<Task> tasks = EnumSet.copyOf(c.tasks().tasks());
        MultiTaskReader train;
        MultiTaskReader val;
        try {
            train = MultiTaskReader.open(c.tasks().dataset(), s.data(), Split.TRAIN, tasks);
            val = MultiTaskReader.open(c.tasks().dataset(), s.data(), Split.VAL, tasks);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.FILE,
                    s.data().toString(),
                    e.getMessage()
                            + " (" + s.data() + " is not a complete "
                            + c.tasks().dataset().shortName() + "-layout dataset;"
                            + " remove it, or give the demo an empty data directory, and it synthesises one)",
                    e);
        }
        if (train.size() == 0 || val.size() == 0) {
            throw InvalidInputException.file(
                    s.data(),
                    "the demo needs images in both the train and the val split" + " (train " + train.size() + ", val "
                            + val.size() + ")");
        }
        log.accept(String.format(
                Locale.ROOT, "[%s] data: %s (train %d, val %d images)", clock(), s.data(), train.size(), val.size()));

        List<Comparison.Row> rows = new ArrayList<>();
        List<RunData> runs = new ArrayList<>();
        Map<Task, Map<String, Double>> trivial = TrivialBaseline.fit(train).evaluate(val);
        rows.add(new Comparison.Row(
                "trivial",
                Comparison.Kind.TRIVIAL,
                trivial,
                MetricsSummary.deltaM(c.tasks().dataset(), trivial)));
        runs.add(baselineRun("trivial", rows.get(0)));
        log.accept(String.format(Locale.ROOT, "[%s] trivial predictor scored", clock()));

        List<ExamplePrediction> examples = new ArrayList<>();
        List<Cost> costs = new ArrayList<>();
        for (Contender contender : contenders) {
            String name = contender.name();
            TrainConfig config = contender.config();
            RunLayout run = contender.run();
            Path runDir = run.dir();
            clearPreviousRun(run);
            Files.createDirectories(runDir);
            Files.writeString(run.demoMarker(), "written by m3vit demo; a later demo run may delete this directory\n");
            Comparison.Row untrained;
            try (NDManager manager = NDManager.newBaseManager()) {
                MultiTaskModel model = TrainingRun.newModel(config, manager);
                untrained =
                        row(name + " untrained", Comparison.Kind.UNTRAINED, evaluate(Predictor.of(model), val, config));
            }
            rows.add(untrained);
            runs.add(baselineRun(name + " untrained", untrained));
            log.accept(String.format(
                    Locale.ROOT,
                    "[%s] %s untrained scored; training %s for %d epochs → %s",
                    clock(),
                    name,
                    config.model(),
                    config.epochs(),
                    runDir));

            long trainStart = System.nanoTime();
            TrainingLoop.Result trained = TrainingRun.run(
                    config,
                    new TrainingRun.Options(s.data(), runDir, null, null, false, s.validate(), null),
                    progress,
                    log);
            Cost cost = Cost.of(name, config.model(), (System.nanoTime() - trainStart) / 1e9);
            costs.add(cost);
            try (Predictor predictor = Predictor.builder()
                    .weights(run.file(trained.state().weights))
                    .config(config.model())
                    .build()) {
                EvaluationResult r = evaluate(predictor, val, config);
                rows.add(row(name, Comparison.Kind.TRAINED, r));
                r.writeTo(run.results());
                writeRunInfo(run, cost);
                if (name.equals(MOE) && s.examples() > 0) {
                    examples = ExamplePredictions.collect(predictor, val, s.examples());
                }
            }
            runs.add(rename(RunData.load(runDir), name));
            log.accept(String.format(Locale.ROOT, "[%s] %s trained and scored", clock(), name));
        }

        Comparison comparison = new Comparison(c.tasks().tasks(), rows);
        String summary = "## Demo: dense multi-task ViT vs M³ViT on synthetic data\n\n"
                + String.format(
                        Locale.ROOT,
                        "%d train and %d val images (%s layout, %dx%d), %d epochs each, seed %d."
                                + " Main metric per task (the one Δm uses); ↑ higher is better, ↓ lower is better.%n%n",
                        train.size(),
                        val.size(),
                        c.tasks().dataset().shortName(),
                        c.imgHeight(),
                        c.imgWidth(),
                        moe.epochs(),
                        s.seed())
                + comparison.toMarkdown();
        summary += "\nCost: parameters, and per task pathway (inference of one task) the parameters it touches and"
                + " its FLOPs (mean over tasks); FLOPs of all tasks at once; training time on this machine.\n\n"
                + Cost.table(costs, true);
        Path reportDir = s.out().resolve("report");
        clearPreviousReport(reportDir);
        Path report = ReportWriter.write(runs, examples, reportDir, summary);
        return new Result(comparison, costs, report, seconds());
    }

    private void checkPair(ModelConfig dense, ModelConfig moe) {
        if (dense.isMoe()) {
            throw InvalidInputException.file(
                    s.denseConfig(),
                    "the dense config must describe a dense ViT (backbone" + " VisionTransformer), got " + dense);
        }
        if (!moe.isMoe()) {
            throw InvalidInputException.file(
                    s.moeConfig(),
                    "the M³ViT config must describe an MoE ViT (backbone" + " VisionTransformer_moe), got " + moe);
        }
        if (dense.tasks().dataset() != moe.tasks().dataset()
                || !dense.tasks().tasks().equals(moe.tasks().tasks())
                || dense.imgHeight() != moe.imgHeight()
                || dense.imgWidth() != moe.imgWidth()) {
            throw InvalidInputException.file(
                    s.moeConfig(),
                    "must use the same dataset, tasks and image size as the" + " dense config " + s.denseConfig()
                            + "; got " + moe + " and " + dense);
        }
    }

    /**
     * Before any work: every place the demo writes to must be a directory that is missing, empty, or the
     * demo's own from an earlier run (marker file), so a conflict never surfaces after minutes of training.
     */
    private void checkOutputs(List<Contender> contenders) throws IOException {
        if (s.examples() < 0) {
            throw InvalidInputException.field("examples", "must be >= 0, got " + s.examples());
        }
        for (Path p : new Path[] {s.out(), s.out().resolve("runs"), s.out().resolve("report")}) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw InvalidInputException.file(p, "exists and is not a directory; the demo needs a directory here");
            }
        }
        for (Contender contender : contenders) {
            Path runDir = contender.run().dir();
            Path marker = contender.run().demoMarker();
            if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
                throw InvalidInputException.file(
                        runDir, "exists and is not a directory; the demo needs a directory" + " here");
            }
            if (!Files.isRegularFile(marker) && Directories.hasEntries(runDir)) {
                throw InvalidInputException.file(
                        runDir,
                        "not empty, and was not written by m3vit demo (no " + marker.getFileName()
                                + "); use another output directory or move it away");
            }
        }
    }

    /**
     * A demo re-run replaces its own previous run, recognised by the marker file written before training
     * starts, so that a later demo run may replace it (and nothing else).
     */
    private void clearPreviousRun(RunLayout run) throws IOException {
        Path runDir = run.dir();
        Path marker = run.demoMarker();
        if (!Files.isRegularFile(marker)) {
            return; // missing or empty (checkOutputs)
        }
        log.accept(String.format(Locale.ROOT, "[%s] replacing the previous run in %s", clock(), runDir));
        // The marker goes last, so an interrupted deletion is still recognised as the demo's next time.
        try (Stream<Path> walk = Files.walk(runDir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(marker) && !p.equals(runDir)) {
                    Files.delete(p);
                }
            }
        }
        Files.delete(marker);
        Files.delete(runDir);
    }

    /**
     * Removes a previous report's files (report.md and the plots {@link ReportWriter} names), report.md
     * last, so that no stale plot survives a re-run and an interrupted clean-up is finished next time.
     */
    private static void clearPreviousReport(Path dir) throws IOException {
        Path md = ReportWriter.reportFile(dir);
        if (!Files.isRegularFile(md)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f) && ReportWriter.isPlot(n)) {
                    Files.delete(f);
                }
            }
        }
        Files.delete(md);
    }

    /** Synthesises the dataset at the model's input size unless {@code data} already has files in it. */
    private void ensureDataset(ModelConfig c) throws IOException {
        Path root = s.data();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw InvalidInputException.file(root, "exists and is not a directory");
        }
        if (Directories.hasEntries(root)) {
            log.accept(String.format(Locale.ROOT, "[%s] using the existing dataset in %s", clock(), root));
            return;
        }
        log.accept(String.format(
                Locale.ROOT,
                "[%s] synthesising %d %s images of %dx%d into %s",
                clock(),
                s.images(),
                c.tasks().dataset().shortName(),
                c.imgHeight(),
                c.imgWidth(),
                root));
        Files.createDirectories(root);
        Synthesizer.Options o = new Synthesizer.Options(
                c.tasks().dataset(), s.images(), c.imgHeight(), c.imgWidth(), s.seed(), 0.2, Math.max(1, s.threads()));
        Synthesizer.run(o, root, done -> progress.accept("synth " + done + "/" + s.images() + " images"));
    }

    private EvaluationResult evaluate(Predictor predictor, MultiTaskReader val, TrainConfig config) throws IOException {
        return new SplitEvaluator().run(predictor, val, config.valBatch(), progress, null);
    }

    private static Comparison.Row row(String name, Comparison.Kind kind, EvaluationResult r) {
        return new Comparison.Row(name, kind, r.metrics(), r.deltaM());
    }

    /** run_info.json, which the report reads for its parameter and GFLOPs columns. */
    private static void writeRunInfo(RunLayout run, Cost cost) throws IOException {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("params", cost.params());
        info.put("gflops", cost.gflopsAllTasks());
        AtomicFiles.write(run.runInfo(), (MetricsJson.format(info) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A row that was only evaluated, as a report run without epochs. */
    private static RunData baselineRun(String name, Comparison.Row row) {
        Map<String, Map<String, Double>> m = new LinkedHashMap<>();
        row.metrics().forEach((t, v) -> m.put(t.id(), v));
        return new RunData(name, List.of(), Map.of(), m, row.deltaM(), null, null);
    }

    private static RunData rename(RunData r, String name) {
        return new RunData(name, r.epochs(), r.expertUsage(), r.finalMetrics(), r.deltaM(), r.params(), r.gflops());
    }

    private double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private String clock() {
        long t = Math.round(seconds());
        return String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
