package org.m3vit.train;

import java.io.IOException;
import java.util.Map;

/**
 * Something that follows a {@link TrainingLoop}: the loop only trains and keeps the run's state, and
 * everything a run leaves behind (metrics.jsonl, checkpoints, best weights, expert usage, progress lines)
 * is a listener, in the manner of DJL's {@code TrainingLoopListener} (which only fires from DJL's own
 * {@code EasyTrain} loop, so it cannot be used here). Listeners are called in the order they were added;
 * epochs are numbered from 1 in every event. A listener that throws stops the run.
 */
public interface TrainingLoopListener {

    /** Before the first epoch of {@link TrainingLoop#fit} (after a resume, at its position). */
    default void onTrainingStart(TrainingStart start) throws IOException {}

    /** Before the first step of epoch {@code epoch}. */
    default void onEpochStart(int epoch) throws IOException {}

    /** After each optimizer step. */
    default void onStep(StepEnd step) throws IOException {}

    /**
     * Every {@code checkpointEvery} global steps within an epoch (not at its last step, which the epoch's
     * end covers), with the state a step checkpoint saves: {@code epochStep} and {@code partial} are set.
     */
    default void onStepCheckpoint(Checkpoint.State state) throws IOException {}

    /** After each epoch's training and validation, with the run state that a checkpoint would save. */
    default void onEpochEnd(EpochEnd end) throws IOException {}

    /** After the last epoch of {@link TrainingLoop#fit} (not when a run fails). */
    default void onTrainingEnd(Checkpoint.State state) throws IOException {}

    /**
     * Where training starts.
     *
     * @param epochs epochs of the whole run (the schedule spans them, even if this fit stops earlier)
     * @param globalStep optimizer steps taken before this fit (non-zero after a resume)
     */
    record TrainingStart(int epochs, long stepsPerEpoch, long globalStep) {}

    /**
     * One finished optimizer step.
     *
     * @param step the step's number within its epoch, from 1
     * @param globalStep optimizer steps taken so far, this one included
     */
    record StepEnd(int epoch, int step, long globalStep, float lr, StepResult result) {}

    /**
     * One finished epoch.
     *
     * @param state the run's state after the epoch; the checkpoint listener saves it (and records the file
     *     names in it)
     * @param newBest whether this epoch's Δm is the best so far (its weights become best.safetensors)
     * @param expertUsage tokens per expert over the epoch's training steps: task id → MoE block → counts
     */
    record EpochEnd(
            EpochRecord record,
            Checkpoint.State state,
            boolean newBest,
            Map<String, Map<Integer, long[]>> expertUsage) {

        public EpochEnd(EpochRecord record, Checkpoint.State state, boolean newBest) {
            this(record, state, newBest, Map.of());
        }
    }
}
