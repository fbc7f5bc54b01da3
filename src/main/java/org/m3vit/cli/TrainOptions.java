package org.m3vit.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Flags that override the YAML's training keys (the reference's train_fastmoe.py flags). */
final class TrainOptions {

    @Option(
            names = "--task-one-hot",
            description = "Task-conditioned routing: one shared router fed the task"
                    + " embedding f_t (sets multi_gate False; needs --gate-task-specific-dim G >= 1).")
    boolean taskOneHot;

    @Option(
            names = "--moe-noisy-gate-loss-weight",
            paramLabel = "W",
            description = "Weight of the MoE balancing loss (default 0.01).")
    Double auxWeight;

    @Option(names = "--lr", description = "Overrides optimizer_kwargs.lr.")
    Double lr;

    @Option(names = "--weight-decay", description = "Overrides optimizer_kwargs.weight_decay.")
    Double weightDecay;

    @Option(names = "--epochs", description = "Overrides epochs.")
    Integer epochs;

    @Option(names = "--tr-batch", description = "Overrides trBatch.")
    Integer trBatch;

    @Option(names = "--val-batch", description = "Overrides valBatch.")
    Integer valBatch;

    @Option(names = "--seed", description = "Overrides seed (default 0): data order, augmentation and gate noise.")
    Long seed;

    @Option(
            names = "--grad-clip",
            paramLabel = "MAX_NORM",
            description = "Global-norm gradient clipping (0 = off," + " the default).")
    Double gradClip;

    /** Dotted config keys → values; nulls mean "keep the YAML's value". */
    Map<String, Object> overrides() {
        Map<String, Object> o = new LinkedHashMap<>();
        if (taskOneHot) {
            o.put("backbone_kwargs.multi_gate", false);
        }
        o.put("moe_noisy_gate_loss_weight", auxWeight);
        o.put("optimizer_kwargs.lr", lr);
        o.put("optimizer_kwargs.weight_decay", weightDecay);
        o.put("epochs", epochs);
        o.put("trBatch", trBatch);
        o.put("valBatch", valBatch);
        o.put("seed", seed);
        o.put("grad_clip", gradClip);
        return o;
    }
}
