package org.m3vit.train;

import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.Provenance;
import org.m3vit.model.MultiTaskModel;

/**
 * Writes {@code best.safetensors} whenever an epoch's Δm is the best so far (the loop decides, and keeps
 * the best in the checkpoint state). It comes before the checkpoint listener, so that a checkpoint which
 * names a best epoch always has its weights on disk.
 */
public final class BestWeightsListener implements TrainingLoopListener {

    private final RunLayout run;
    private final MultiTaskModel model;
    private final Consumer<String> log;

    public BestWeightsListener(RunLayout run, MultiTaskModel model, Consumer<String> log) {
        this.run = run;
        this.model = model;
        this.log = log;
    }

    @Override
    public void onEpochEnd(EpochEnd end) throws IOException {
        if (!end.newBest()) {
            return;
        }
        int epoch = end.record().epoch();
        double dm = end.record().deltaM();
        ModelArtifact.save(
                model,
                run.bestWeights(),
                Provenance.run(run.dir().toString(), epoch, Map.of("delta_m", Double.toString(dm))));
        log.accept(String.format(
                "new best Δm %.3f at epoch %d → %s",
                dm, epoch, run.bestWeights().getFileName()));
    }
}
