package org.m3vit.train;

import java.io.IOException;

/**
 * Saves an atomic {@link Checkpoint} after every epoch, and every N steps within one when the loop has
 * {@code checkpointEvery(N)}: weights, optimizer state and checkpoint.json.
 */
public final class CheckpointListener implements TrainingLoopListener {

    private final RunLayout run;
    private final TrainableModel model;
    private final ParameterOptimizer optimizer;

    public CheckpointListener(RunLayout run, TrainableModel model, ParameterOptimizer optimizer) {
        this.run = run;
        this.model = model;
        this.optimizer = optimizer;
    }

    /** Records the new files' names in the state, which is how the run's result names its weights. */
    @Override
    public void onEpochEnd(EpochEnd end) throws IOException {
        Checkpoint.save(run, model, optimizer, end.state());
    }

    @Override
    public void onStepCheckpoint(Checkpoint.State state) throws IOException {
        Checkpoint.save(run, model, optimizer, state);
    }
}
