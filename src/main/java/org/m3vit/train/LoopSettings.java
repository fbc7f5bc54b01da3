package org.m3vit.train;

import java.util.Objects;

/**
 * The settings a {@link TrainingLoop} itself uses, whatever it trains: the length of the run, the seed the
 * steps are reseeded from, the configuration hash checkpoints keep, the learning-rate schedule and when to
 * validate.
 *
 * @param configHash SHA-256 of the effective configuration, kept in checkpoints to notice a changed resume
 * @param evalFinal10EpochsOnly validate only in the final 10 epochs (the reference's setting)
 */
public record LoopSettings(
        int epochs,
        long seed,
        String configHash,
        ScheduleKind scheduler,
        float lr,
        long warmupSteps,
        boolean evalFinal10EpochsOnly) {

    public LoopSettings {
        Objects.requireNonNull(configHash, "configHash");
        Objects.requireNonNull(scheduler, "scheduler");
    }

    /** The loop settings of an M³ViT training config. */
    public static LoopSettings of(TrainConfig c) {
        return new LoopSettings(
                c.epochs(), c.seed(), c.hash(), c.scheduler(), c.lr(), c.warmupSteps(), c.evalFinal10EpochsOnly());
    }
}
