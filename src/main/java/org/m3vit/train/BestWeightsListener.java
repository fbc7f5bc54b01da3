package org.m3vit.train;

import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.infer.Provenance;

/**
 * Writes {@code best.safetensors} whenever an epoch's selection score (Δm for M³ViT) is the best so far
 * (the loop decides, and keeps the best in the checkpoint state). It comes before the checkpoint listener,
 * so that a checkpoint which names a best epoch always has its weights on disk.
 */
public final class BestWeightsListener implements TrainingLoopListener {

    private final RunLayout run;
    private final TrainableModel model;
    private final Consumer<String> log;

    public BestWeightsListener(RunLayout run, TrainableModel model, Consumer<String> log) {
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
        String metric = model.selectionMetric();
        double score =
                metric.equals("delta_m") ? end.record().deltaM() : end.record().score();
        model.saveArtifact(
                run.bestWeights(), Provenance.run(run.dir().toString(), epoch, Map.of(metric, Double.toString(score))));
        log.accept(String.format(
                "new best %s %.3f at epoch %d → %s",
                metric.equals("delta_m") ? "Δm" : metric,
                score,
                epoch,
                run.bestWeights().getFileName()));
    }
}
