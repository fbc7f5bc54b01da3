package org.m3vit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.infer.Provenance;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;

/**
 * One end-of-epoch checkpoint in a run directory ({@link RunLayout}): {@code weights-epochNNNN.safetensors}
 * (reference names), {@code optimizer-epochNNNN.safetensors} (the optimizer's state arrays) and
 * {@code checkpoint.json}, which names them. The two tensor files are written first (each atomically);
 * {@code checkpoint.json} is replaced last, atomically, and only then are the previous epoch's files
 * deleted. So at any instant the JSON points at a complete checkpoint, and a crash mid-save leaves the
 * previous one usable.
 */
public final class Checkpoint {

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .serializeSpecialFloatingPointValues()
            .create();

    /**
     * Contents of {@code checkpoint.json}. {@code epoch} is the number of completed epochs; {@code bestDeltaM}
     * is the best selection score so far (Δm for M³ViT, the model's {@link TrainableModel#selectionMetric}
     * otherwise: the field keeps its name so that existing checkpoints read unchanged).
     */
    public static final class State {
        public int epoch;
        public long globalStep;
        public long optimizerSteps;
        public long seed;
        public double bestDeltaM = Double.NEGATIVE_INFINITY;
        public int bestEpoch = -1;
        public String configHash;
        public String weights;
        public String optimizer;
    }

    private Checkpoint() {}

    public static void save(RunLayout run, TrainableModel model, ParameterOptimizer optimizer, State state)
            throws IOException {
        Files.createDirectories(run.dir());
        Path json = run.checkpointJson();
        State previous = Files.isRegularFile(json) ? readState(json) : null;
        state.weights = RunLayout.weightsName(state.epoch);
        state.optimizer = RunLayout.optimizerName(state.epoch);
        state.optimizerSteps = optimizer.steps();
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
        if (previous != null) {
            for (String f : new String[] {previous.weights, previous.optimizer}) {
                if (f != null && !f.equals(state.weights) && !f.equals(state.optimizer)) {
                    Files.deleteIfExists(run.file(f));
                }
            }
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

    public static State readState(Path json) throws IOException {
        State s = GSON.fromJson(Files.readString(json, StandardCharsets.UTF_8), State.class);
        if (s == null || s.weights == null || s.optimizer == null) {
            throw InvalidInputException.file(json, "not an m3vit checkpoint (no weights/optimizer entries)");
        }
        return s;
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
