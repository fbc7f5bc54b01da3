package org.m3vit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.infer.Provenance;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;
import org.m3vit.io.TextFiles;

/**
 * One checkpoint in a run directory ({@link RunLayout}): at the end of an epoch
 * {@code weights-epochNNNN.safetensors} (reference names) and {@code optimizer-epochNNNN.safetensors} (the
 * optimizer's state arrays), within an epoch ({@code --checkpoint-every}) the same two files named by the
 * global step, and {@code checkpoint.json}, which names them. The two tensor files are written first (each
 * atomically); {@code checkpoint.json} is replaced last, atomically, and only then are the previous
 * checkpoint's files deleted. So at any instant the JSON points at a complete checkpoint, and a crash
 * mid-save leaves the previous one usable.
 *
 * <p>Nothing non-finite is ever saved: a weight or optimizer value that is NaN or infinite fails the save
 * ({@link TrainingDivergedException}) before any file is written. A save deletes only files of the names
 * m3vit gives checkpoints, in the run directory ({@link RunLayout#file}); {@code checkpoint.json} is
 * validated when read (file names, counters that cannot be negative), so a tampered one is an error
 * naming it.
 */
public final class Checkpoint {

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .serializeSpecialFloatingPointValues()
            .create();

    /**
     * Contents of {@code checkpoint.json}. {@code epoch} is the number of completed epochs; a step
     * checkpoint also has {@code epochStep}, the steps of the next epoch already taken, and
     * {@code partial}, that epoch's running totals (so its metrics line comes out as without the kill).
     * {@code bestDeltaM} is the best selection score so far (Δm for M³ViT, the model's
     * {@link TrainableModel#selectionMetric} otherwise: the field keeps its name so that existing checkpoints
     * read unchanged).
     */
    public static final class State {
        public int epoch;
        public int epochStep;
        public EpochProgress partial;
        public long globalStep;
        public long optimizerSteps;
        public long seed;
        public double bestDeltaM = Double.NEGATIVE_INFINITY;
        public int bestEpoch = -1;
        public String configHash;
        public String weights;
        public String optimizer;
    }

    /**
     * The running totals of a partly trained epoch, saved by a step checkpoint: loss sums per task id and
     * how many steps reported each (absent in a checkpoint whose every step reported every task), the
     * balancing-loss and gradient-norm sums, the step count and the tokens per expert (task → block →
     * counts). JSON doubles round-trip exactly, so the resumed epoch's means are the uninterrupted ones.
     */
    public static final class EpochProgress {
        public Map<String, Double> lossSums = new LinkedHashMap<>();
        public Map<String, Integer> lossCounts = new LinkedHashMap<>();
        public double auxSum;
        public double gradNormSum;
        public int steps;
        public Map<String, Map<String, long[]>> expertCounts = new LinkedHashMap<>();

        void validate(Path json, int epochStep) {
            if (lossSums == null || expertCounts == null || steps != epochStep) {
                throw InvalidInputException.file(
                        json, "impossible partial epoch totals (" + steps + " steps for epochStep " + epochStep + ")");
            }
            boolean ok = Double.isFinite(auxSum) && Double.isFinite(gradNormSum);
            for (var e : lossSums.entrySet()) {
                ok &= e.getValue() != null && Double.isFinite(e.getValue()) && isTask(e.getKey());
            }
            if (lossCounts != null) {
                for (var e : lossCounts.entrySet()) {
                    ok &= e.getValue() != null && e.getValue() >= 0 && e.getValue() <= steps && isTask(e.getKey());
                }
            }
            for (var e : expertCounts.entrySet()) {
                ok &= isTask(e.getKey()) && e.getValue() != null;
                if (e.getValue() != null) {
                    for (var l : e.getValue().entrySet()) {
                        ok &= l.getKey().matches("\\d{1,4}") && l.getValue() != null;
                        if (l.getValue() != null) {
                            for (long c : l.getValue()) {
                                ok &= c >= 0;
                            }
                        }
                    }
                }
            }
            if (!ok) {
                throw InvalidInputException.file(
                        json,
                        "impossible partial epoch totals (a non-finite sum, an"
                                + " unknown task or a negative expert count)");
            }
        }
    }

    /** A task id as task specs name them (M³ViT's and the generalist's alike). */
    private static final Pattern TASK_ID = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private static boolean isTask(String id) {
        return id != null && TASK_ID.matcher(id).matches();
    }

    private static final Pattern NO_BEST = Pattern.compile("(\"bestDeltaM\"\\s*:\\s*)-Infinity");

    private Checkpoint() {}

    public static void save(RunLayout run, TrainableModel model, ParameterOptimizer optimizer, State state)
            throws IOException {
        requireFinite(model, optimizer, state);
        Files.createDirectories(run.dir());
        Path json = run.checkpointJson();
        State previous = Files.isRegularFile(json) ? readState(json) : null;
        boolean step = state.epochStep > 0;
        state.weights = step ? RunLayout.stepWeightsName(state.globalStep) : RunLayout.weightsName(state.epoch);
        state.optimizer = step ? RunLayout.stepOptimizerName(state.globalStep) : RunLayout.optimizerName(state.epoch);
        if (!step) {
            state.partial = null;
        }
        state.optimizerSteps = optimizer.steps();
        try {
            model.saveArtifact(
                    run.file(state.weights),
                    Provenance.run(
                            run.dir().toString(), state.epoch, Map.of("global_step", Long.toString(state.globalStep))));
            Map<String, Tensor> opt = new LinkedHashMap<>();
            for (var e : optimizer.state().entrySet()) {
                NDArray a = e.getValue();
                opt.put(e.getKey(), Tensor.of(a.getShape().getShape(), a.toFloatArray()));
            }
            SafetensorsWriter.write(run.file(state.optimizer), opt, Map.of("steps", Long.toString(optimizer.steps())));
            AtomicFiles.write(json, GSON.toJson(state).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            // A full disk midway: checkpoint.json still names the previous checkpoint; drop this save's files
            // (each complete, but unnamed) so nothing of it is left behind.
            for (String f : new String[] {state.weights, state.optimizer}) {
                if (previous == null || (!f.equals(previous.weights) && !f.equals(previous.optimizer))) {
                    try {
                        Files.deleteIfExists(run.file(f));
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
        removeStaleTemporaries(run);
        if (previous != null) {
            // readState accepted only plain checkpoint names, so these are m3vit's own files in the run dir
            for (String f : new String[] {previous.weights, previous.optimizer}) {
                if (!f.equals(state.weights) && !f.equals(state.optimizer)) {
                    Files.deleteIfExists(run.file(f));
                }
            }
        }
    }

    /** The temporary files {@code AtomicFiles} leaves when the process is killed while writing a checkpoint. */
    private static final Pattern STALE = Pattern.compile(
            "\\.((weights|optimizer)-(epoch\\d{4,9}|step\\d{8,18})\\.safetensors|checkpoint\\.json)\\.[0-9a-z]{1,13}\\.tmp");

    /**
     * Deletes what a kill mid-save left behind: only hidden temporaries named as {@code AtomicFiles} names
     * those of checkpoint files, in the run directory. Runs after a complete save, with the run's one writer.
     */
    private static void removeStaleTemporaries(RunLayout run) throws IOException {
        try (Stream<Path> entries = Files.list(run.dir())) {
            for (Path p : entries.toList()) {
                if (STALE.matcher(p.getFileName().toString()).matches()
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Fails, naming the first tensors, when a parameter or an optimizer state array holds NaN or ±Inf: a
     * diverged run must never reach a checkpoint (or best weights), so the last good one stays the last.
     */
    public static void requireFinite(TrainableModel model, ParameterOptimizer optimizer, State state) {
        List<String> bad = new ArrayList<>();
        for (var e : model.parameters().entrySet()) {
            if (!finite(e.getValue().getArray())) {
                bad.add(e.getKey());
            }
        }
        if (optimizer != null) {
            for (var e : optimizer.state().entrySet()) {
                if (!finite(e.getValue())) {
                    bad.add("optimizer " + e.getKey());
                }
            }
        }
        if (!bad.isEmpty()) {
            throw new TrainingDivergedException("training diverged: " + bad.size() + " tensor(s) hold NaN or"
                    + " infinite values after epoch " + (state.epoch + (state.epochStep > 0 ? 1 : 0)) + " step "
                    + state.globalStep + " (" + String.join(", ", bad.subList(0, Math.min(5, bad.size())))
                    + (bad.size() > 5 ? ", …" : "") + "); nothing was saved, the last checkpoint is untouched."
                    + " Lower the learning rate or enable gradient clipping (grad_clip).");
        }
    }

    private static boolean finite(NDArray a) {
        try (NDArray bad = a.isNaN().logicalOr(a.isInfinite())) {
            return !bad.any().getBoolean();
        }
    }

    /** {@code location} is a run directory or its {@code checkpoint.json}. */
    public static Path jsonOf(Path location) {
        Path json = Files.isDirectory(location) ? new RunLayout(location).checkpointJson() : location;
        if (!Files.isRegularFile(json)) {
            throw InvalidInputException.file(
                    json, "no checkpoint here (a run is resumed from its directory or its" + " checkpoint.json)");
        }
        return json;
    }

    /**
     * Reads and validates {@code checkpoint.json}: strict JSON, the two file names plain checkpoint names
     * of the run directory, and no impossible counter (negative epoch or step, a best epoch after the
     * last). Any violation is an {@link InvalidInputException} naming the file and the field.
     */
    public static State readState(Path json) throws IOException {
        // The one non-JSON token m3vit writes here: bestDeltaM -Infinity before the first validation (as null,
        // the field keeps that default).
        String text = NO_BEST.matcher(TextFiles.read(json)).replaceFirst("$1null");
        JsonElement tree = TextFiles.json(json.toString(), text);
        if (!tree.isJsonObject()) {
            throw InvalidInputException.file(json, "not an m3vit checkpoint (expected a JSON object)");
        }
        State s;
        try {
            s = GSON.fromJson(tree, State.class);
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw InvalidInputException.file(json, "not an m3vit checkpoint (a field has the wrong type)");
        }
        if (s == null || s.weights == null || s.optimizer == null) {
            throw InvalidInputException.file(json, "not an m3vit checkpoint (no weights/optimizer entries)");
        }
        RunLayout run = new RunLayout(json.toAbsolutePath().getParent());
        run.file(s.weights); // plain checkpoint names only
        run.file(s.optimizer);
        field(json, "epoch", s.epoch >= 0, s.epoch);
        field(json, "epochStep", s.epochStep >= 0, s.epochStep);
        field(json, "globalStep", s.globalStep >= 0 && s.globalStep >= s.epoch, s.globalStep);
        field(json, "optimizerSteps", s.optimizerSteps >= 0, s.optimizerSteps);
        field(json, "bestEpoch", s.bestEpoch == -1 || (s.bestEpoch >= 1 && s.bestEpoch <= s.epoch), s.bestEpoch);
        field(
                json,
                "bestDeltaM",
                !Double.isNaN(s.bestDeltaM) && s.bestDeltaM != Double.POSITIVE_INFINITY,
                s.bestDeltaM);
        if (s.epochStep > 0 && s.partial == null) {
            throw InvalidInputException.file(
                    json, "a step checkpoint (epochStep " + s.epochStep + ") without its partial epoch totals");
        }
        if (s.partial != null) {
            s.partial.validate(json, s.epochStep);
        }
        return s;
    }

    private static void field(Path json, String name, boolean ok, Object value) {
        if (!ok) {
            throw InvalidInputException.file(json, "impossible value of " + name + ": " + value);
        }
    }

    /** Loads the weights and optimizer state named by {@code json} into {@code model} and {@code optimizer}. */
    public static State restore(Path json, TrainableModel model, ParameterOptimizer optimizer, NDManager manager)
            throws IOException {
        State s = readState(json);
        RunLayout run = new RunLayout(json.toAbsolutePath().getParent());
        model.loadWeights(run.file(s.weights));
        Map<String, NDArray> saved = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(run.file(s.optimizer))) {
            for (var e : f.tensors().entrySet()) {
                float[] v = f.floats(e.getKey());
                saved.put(e.getKey(), manager.create(v, new Shape(e.getValue().shape())));
            }
        }
        optimizer.restore(saved, s.optimizerSteps);
        return s;
    }
}
