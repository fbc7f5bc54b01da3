package org.m3vit.generalist.evidence;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskBatch;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.nn.StateDict;

/**
 * Task interference of a trained generalist (Uni-Perceiver-MoE Table 1): N gradient samples per task of one
 * weight in chosen blocks, then {@link InterferenceMath#ratios}. A sample is the gradient of the task's
 * (unweighted) loss on one mini-batch of {@code batch} train items, as the notebook's per-batch samples; in
 * training mode (gate noise on), the engine reseeded per sample, so a run is deterministic by seed. Only
 * the examined weights get gradients: the backward pass stops there, and nothing else is touched.
 */
public final class Interference {

    private Interference() {}

    /**
     * @param layers block indices
     * @param weight the weight inside each block, e.g. {@code mlp.fc2} (the FFN's second linear; {@code ffn.}
     *     is accepted for {@code mlp.}); a MoE block's stacked expert weight counts as one weight
     * @param samples N gradient samples per task
     * @param batch items per sample (retrieval's in-batch loss needs at least 2)
     * @param tasks the tasks compared, in order
     */
    public record Options(List<Integer> layers, String weight, int samples, int batch, List<String> tasks, long seed) {}

    /**
     * @param matrices block → I (tasks × tasks), rows the affected task, columns the source
     * @param standardErrors block → the standard error of I's mean off-diagonal entry over the samples
     *     ({@link InterferenceMath#offDiagonalStandardError})
     * @param parameters block → the parameter examined
     */
    public record Result(
            List<String> tasks,
            List<Integer> layers,
            String weight,
            int samples,
            int batch,
            Map<Integer, String> parameters,
            Map<Integer, double[][]> matrices,
            Map<Integer, Double> standardErrors,
            double seconds) {}

    /** The parameter {@code weight} of block {@code layer}, or an error naming what exists. */
    static Map.Entry<String, Parameter> find(Map<String, Parameter> all, int layer, String weight, int depth) {
        if (layer < 0 || layer >= depth) {
            throw InvalidInputException.field(
                    "layers",
                    "block " + layer + " is not in this model (model.depth " + depth + ": 0.." + (depth - 1) + ")");
        }
        String path = weight.startsWith("ffn.") ? "mlp." + weight.substring(4) : weight;
        String prefix = "blocks." + layer + "." + path + ".";
        List<String> candidates = new ArrayList<>();
        Map.Entry<String, Parameter> found = null;
        for (var e : all.entrySet()) {
            String n = e.getKey();
            if (n.startsWith("blocks." + layer + ".") && n.endsWith(".weight")) {
                candidates.add(n.substring(("blocks." + layer + ".").length(), n.length() - ".weight".length()));
            }
            boolean direct = n.equals(prefix + "weight");
            boolean experts = n.equals(prefix + "experts.weight");
            if (direct || experts) {
                found = e;
            }
        }
        if (found == null) {
            throw InvalidInputException.field(
                    "weight", "'" + weight + "' is not a weight of block " + layer + "; it has " + candidates);
        }
        return found;
    }

    public static Result run(TaskContext ctx, Options o, Consumer<String> progress) {
        long start = System.nanoTime();
        GeneralistModel model = ctx.encoder().model();
        Map<String, Parameter> all = StateDict.parameters(model);
        if (o.samples() < 2) {
            throw InvalidInputException.field(
                    "samples", "needs at least 2 gradient samples per task, got " + o.samples());
        }
        if (o.batch() < 2) {
            throw InvalidInputException.field(
                    "batch", "needs at least 2 items per sample (retrieval's loss is in-batch), got " + o.batch());
        }
        if (o.tasks().isEmpty()) {
            throw InvalidInputException.field("tasks", "no task to compare");
        }
        Map<Integer, Map.Entry<String, Parameter>> chosen = new LinkedHashMap<>();
        for (int layer : o.layers()) {
            chosen.put(layer, find(all, layer, o.weight(), model.config().depth()));
        }
        List<GeneralistTask> tasks = o.tasks().stream().map(GeneralistTask::get).toList();
        for (GeneralistTask t : tasks) {
            int n = t.size(ctx.corpus(), MultimodalCorpus.Split.TRAIN);
            if (n < o.batch()) {
                throw InvalidInputException.file(
                        ctx.corpus().root(),
                        "has " + n + " train items for " + t.id() + ", fewer than a sample's " + o.batch());
            }
        }
        // only the examined weights need gradients; the rest of the model stays as it is
        Map<Parameter, Boolean> before = new LinkedHashMap<>();
        for (var e : chosen.values()) {
            NDArray a = e.getValue().getArray();
            before.put(e.getValue(), a.hasGradient());
            a.setRequiresGradient(true);
        }
        int n = o.samples();
        int rows = tasks.size() * n;
        Map<Integer, float[][]> grads = new LinkedHashMap<>();
        for (var e : chosen.entrySet()) {
            grads.put(e.getKey(), new float[rows][]);
        }
        try {
            for (int t = 0; t < tasks.size(); t++) {
                GeneralistTask task = tasks.get(t);
                for (int s = 0; s < n; s++) {
                    sample(ctx, task, o, t, s, chosen, grads, t * n + s);
                    progress.accept("interference: " + task.id() + " sample " + (s + 1) + "/" + n);
                }
            }
        } finally {
            for (var e : before.entrySet()) {
                if (!e.getValue()) {
                    e.getKey().getArray().setRequiresGradient(false);
                }
            }
        }
        Map<Integer, double[][]> matrices = new LinkedHashMap<>();
        Map<Integer, Double> errors = new LinkedHashMap<>();
        Map<Integer, String> names = new LinkedHashMap<>();
        for (var e : grads.entrySet()) {
            double[][] gram = gram(ctx.manager(), e.getValue());
            matrices.put(e.getKey(), InterferenceMath.ratios(gram, tasks.size(), n));
            errors.put(e.getKey(), InterferenceMath.offDiagonalStandardError(gram, tasks.size(), n));
            names.put(e.getKey(), chosen.get(e.getKey()).getKey());
        }
        return new Result(
                o.tasks(),
                o.layers(),
                o.weight(),
                n,
                o.batch(),
                names,
                matrices,
                errors,
                (System.nanoTime() - start) / 1e9);
    }

    private static void sample(
            TaskContext ctx,
            GeneralistTask task,
            Options o,
            int t,
            int s,
            Map<Integer, Map.Entry<String, Parameter>> chosen,
            Map<Integer, float[][]> grads,
            int row) {
        long seed = new SplittableRandom(o.seed() * 1_000_003L + t * 7919L + s).nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        int size = task.size(ctx.corpus(), MultimodalCorpus.Split.TRAIN);
        int[] items = distinct(rng, size, o.batch());
        TaskBatch batch = task.batch(ctx.corpus(), ctx.tokenizer(), MultimodalCorpus.Split.TRAIN, items, rng);
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        try (NDManager scope = ctx.manager().newSubManager();
                NDScope temporaries = new NDScope()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(task.loss(ctx.on(scope), batch, true).loss());
            }
            for (var e : chosen.entrySet()) {
                NDArray g = e.getValue().getValue().getArray().getGradient();
                grads.get(e.getKey())[row] = g.toFloatArray();
                g.subi(g); // gradients accumulate across backward passes
            }
        }
    }

    /** b distinct items of [0, n): a partial Fisher–Yates shuffle. */
    static int[] distinct(SplittableRandom rng, int n, int b) {
        int[] pool = new int[n];
        for (int i = 0; i < n; i++) {
            pool[i] = i;
        }
        int[] out = new int[b];
        for (int i = 0; i < b; i++) {
            int j = i + rng.nextInt(n - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
            out[i] = pool[i];
        }
        return out;
    }

    /** G·Gᵀ of the gradient rows, one GEMM in fp32, returned in double. */
    static double[][] gram(NDManager manager, float[][] rows) {
        int r = rows.length;
        int p = rows[0].length;
        float[] flat = new float[r * p];
        for (int i = 0; i < r; i++) {
            System.arraycopy(rows[i], 0, flat, i * p, p);
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray g = m.create(flat, new Shape(r, p));
            float[] prod = g.matMul(g.transpose()).toFloatArray();
            double[][] out = new double[r][r];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    out[i][j] = prod[i * r + j];
                }
            }
            return out;
        }
    }
}
