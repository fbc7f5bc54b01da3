package org.m3vit.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.errors.Limits;
import org.m3vit.model.FlopCounter;
import org.m3vit.task.Task;

/**
 * The training half of an experiment YAML, typed and immutable (the model half is {@link ConfigLoader}'s
 * {@link ModelConfig}). {@link #load} reads the reference keys trBatch, valBatch, epochs, nworkers,
 * optimizer, optimizer_kwargs, scheduler, scheduler_kwargs, loss_kwargs, task_dictionary.edge_w,
 * eval_final_10_epochs_only, plus m3vit's data_root, seed, grad_clip and moe_noisy_gate_loss_weight, with
 * the same dotted overrides as the model half, so a CLI flag changes one place. Every error names the key.
 * A changed copy comes from {@link #toBuilder()}.
 *
 * @param workers {@code nworkers}: background threads preparing training batches
 * @param lossWeights weight of each enabled task's loss ({@code loss_kwargs.loss_weights}, reference defaults)
 * @param edgePosWeight {@code task_dictionary.edge_w}: the fixed positive-class weight of the edge BCE
 * @param auxWeight {@code moe_noisy_gate_loss_weight}: weight of the MoE balancing loss
 * @param gradClip {@code grad_clip}: global-norm clipping threshold, 0 = off
 * @param dataRoot {@code data_root}, or null when the YAML has none
 * @param hash SHA-256 of the effective configuration (file + overrides, and any builder changes), stored in
 *     checkpoints so that a resume with another configuration is noticed
 */
public record TrainConfig(
        ModelConfig model,
        int trBatch,
        int valBatch,
        int epochs,
        int workers,
        OptimizerKind optimizer,
        float lr,
        float momentum,
        float weightDecay,
        float beta1,
        float beta2,
        float eps,
        ScheduleKind scheduler,
        long warmupSteps,
        Map<Task, Float> lossWeights,
        float edgePosWeight,
        float auxWeight,
        boolean evalFinal10EpochsOnly,
        double gradClip,
        long seed,
        Path dataRoot,
        String hash) {

    /** Checks what every config must satisfy, however it was made; errors name the YAML key. */
    public TrainConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(lossWeights, "lossWeights");
        Objects.requireNonNull(hash, "hash");
        positive("trBatch", trBatch);
        positive("valBatch", valBatch);
        long perImage = new FlopCounter(model).activationBytes();
        for (String key : new String[] {"trBatch", "valBatch"}) {
            int batch = key.equals("trBatch") ? trBatch : valBatch;
            Limits.check(
                    InvalidInputException.Kind.CONFIG_KEY,
                    key,
                    "the largest activation of a batch of " + batch + " (bytes)",
                    Limits.product(batch, perImage),
                    Limits.MAX_ACTIVATION_BYTES,
                    "activation_bytes");
        }
        positive("epochs", epochs);
        positive("nworkers", workers);
        if (workers > Limits.MAX_THREADS) {
            throw InvalidInputException.key(
                    "nworkers", workers + " loader threads is beyond the limit of " + Limits.MAX_THREADS);
        }
        // Every value as the float the optimizer uses: a YAML 1e300 is float infinity, not a learning rate.
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw InvalidInputException.key(
                    "optimizer_kwargs.lr", "must be a finite number > 0 (as a float), got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw InvalidInputException.key("optimizer_kwargs.momentum", "must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw InvalidInputException.key(
                    "optimizer_kwargs.weight_decay", "must be a finite number >= 0, got " + weightDecay);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw InvalidInputException.key(
                    "optimizer_kwargs.betas", "both must be in [0, 1), got [" + beta1 + ", " + beta2 + "]");
        }
        if (!(eps > 0) || Float.isInfinite(eps)) {
            throw InvalidInputException.key("optimizer_kwargs.eps", "must be a finite number > 0, got " + eps);
        }
        if (warmupSteps < 0) {
            throw InvalidInputException.key("scheduler_kwargs.warmup_steps", "must be >= 0, got " + warmupSteps);
        }
        if (!(edgePosWeight >= 0 && edgePosWeight <= 1)) {
            throw InvalidInputException.key("task_dictionary.edge_w", "must be in [0, 1], got " + edgePosWeight);
        }
        if (!(auxWeight >= 0) || Float.isInfinite(auxWeight)) {
            throw InvalidInputException.key(
                    "moe_noisy_gate_loss_weight", "must be a finite number >= 0, got " + auxWeight);
        }
        if (!(gradClip >= 0) || Double.isInfinite(gradClip)) {
            throw InvalidInputException.key("grad_clip", "must be a finite number >= 0 (0 = off), got " + gradClip);
        }
        Map<Task, Float> weights = new EnumMap<>(Task.class);
        weights.putAll(lossWeights);
        for (Task t : model.tasks().tasks()) {
            Float w = weights.get(t);
            if (w == null) {
                throw InvalidInputException.key("loss_kwargs.loss_weights." + t.id(), "missing for an enabled task");
            }
            if (!(w >= 0) || w.isInfinite()) {
                throw InvalidInputException.key(
                        "loss_kwargs.loss_weights." + t.id(), "expected a finite number >= 0, got '" + w + "'");
            }
        }
        lossWeights = Collections.unmodifiableMap(weights);
    }

    /** Reads {@code file}, applies dotted {@code overrides} (null values are ignored) and validates both halves. */
    public static TrainConfig load(Path file, Map<String, Object> overrides) throws IOException {
        return TrainConfigYaml.load(file, overrides);
    }

    /** A builder starting from this config; what it changes goes into the new config's {@link #hash}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw InvalidInputException.key(key, "expected a positive integer, got '" + value + "'");
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Changes to a loaded config (the model half is not among them: it comes from the YAML, whose hash
     * covers it). {@link #build()} validates like {@link #load}.
     */
    public static final class Builder {
        private final TrainConfig from;
        private final List<String> changes = new ArrayList<>();
        private int trBatch;
        private int valBatch;
        private int epochs;
        private int workers;
        private OptimizerKind optimizer;
        private float lr;
        private float momentum;
        private float weightDecay;
        private float beta1;
        private float beta2;
        private float eps;
        private ScheduleKind scheduler;
        private long warmupSteps;
        private Map<Task, Float> lossWeights;
        private float edgePosWeight;
        private float auxWeight;
        private boolean evalFinal10EpochsOnly;
        private double gradClip;
        private long seed;
        private Path dataRoot;

        private Builder(TrainConfig c) {
            from = c;
            trBatch = c.trBatch;
            valBatch = c.valBatch;
            epochs = c.epochs;
            workers = c.workers;
            optimizer = c.optimizer;
            lr = c.lr;
            momentum = c.momentum;
            weightDecay = c.weightDecay;
            beta1 = c.beta1;
            beta2 = c.beta2;
            eps = c.eps;
            scheduler = c.scheduler;
            warmupSteps = c.warmupSteps;
            lossWeights = c.lossWeights;
            edgePosWeight = c.edgePosWeight;
            auxWeight = c.auxWeight;
            evalFinal10EpochsOnly = c.evalFinal10EpochsOnly;
            gradClip = c.gradClip;
            seed = c.seed;
            dataRoot = c.dataRoot;
        }

        private Builder changed(String key, Object value) {
            changes.add(key + "=" + value);
            return this;
        }

        public Builder trBatch(int v) {
            trBatch = v;
            return changed("trBatch", v);
        }

        public Builder valBatch(int v) {
            valBatch = v;
            return changed("valBatch", v);
        }

        public Builder epochs(int v) {
            epochs = v;
            return changed("epochs", v);
        }

        public Builder workers(int v) {
            workers = v;
            return changed("nworkers", v);
        }

        public Builder optimizer(OptimizerKind v) {
            optimizer = v;
            return changed("optimizer", v);
        }

        public Builder lr(float v) {
            lr = v;
            return changed("optimizer_kwargs.lr", v);
        }

        public Builder momentum(float v) {
            momentum = v;
            return changed("optimizer_kwargs.momentum", v);
        }

        public Builder weightDecay(float v) {
            weightDecay = v;
            return changed("optimizer_kwargs.weight_decay", v);
        }

        public Builder betas(float b1, float b2) {
            beta1 = b1;
            beta2 = b2;
            return changed("optimizer_kwargs.betas", "[" + b1 + ", " + b2 + "]");
        }

        public Builder eps(float v) {
            eps = v;
            return changed("optimizer_kwargs.eps", v);
        }

        public Builder scheduler(ScheduleKind v) {
            scheduler = v;
            return changed("scheduler", v);
        }

        public Builder warmupSteps(long v) {
            warmupSteps = v;
            return changed("scheduler_kwargs.warmup_steps", v);
        }

        /** Replaces the weights; every enabled task needs one. */
        public Builder lossWeights(Map<Task, Float> v) {
            lossWeights = v;
            return changed("loss_kwargs.loss_weights", new EnumMap<>(v));
        }

        public Builder edgePosWeight(float v) {
            edgePosWeight = v;
            return changed("task_dictionary.edge_w", v);
        }

        public Builder auxWeight(float v) {
            auxWeight = v;
            return changed("moe_noisy_gate_loss_weight", v);
        }

        public Builder evalFinal10EpochsOnly(boolean v) {
            evalFinal10EpochsOnly = v;
            return changed("eval_final_10_epochs_only", v);
        }

        public Builder gradClip(double v) {
            gradClip = v;
            return changed("grad_clip", v);
        }

        public Builder seed(long v) {
            seed = v;
            return changed("seed", v);
        }

        public Builder dataRoot(Path v) {
            dataRoot = v;
            return changed("data_root", v);
        }

        /** The new config. Unchanged, it equals the original (same hash). */
        public TrainConfig build() {
            String hash = changes.isEmpty() ? from.hash : sha256(from.hash + "\n" + String.join("\n", changes));
            return new TrainConfig(
                    from.model,
                    trBatch,
                    valBatch,
                    epochs,
                    workers,
                    optimizer,
                    lr,
                    momentum,
                    weightDecay,
                    beta1,
                    beta2,
                    eps,
                    scheduler,
                    warmupSteps,
                    lossWeights,
                    edgePosWeight,
                    auxWeight,
                    evalFinal10EpochsOnly,
                    gradClip,
                    seed,
                    dataRoot,
                    hash);
        }
    }
}
