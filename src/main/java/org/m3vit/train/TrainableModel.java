package org.m3vit.train;

import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.Provenance;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.nn.StateDict;

/**
 * What the {@link TrainingLoop}, its checkpoints and its listeners need of the model they train, whatever
 * its kind: the named parameters (the optimizer's and the checkpoints' names), the task ids a step reports
 * losses for, and how its weights are saved as a self-describing artifact and loaded back. M³ViT's and the
 * dense ViT's is {@link #of(MultiTaskModel)}; the generalist brings its own.
 */
public interface TrainableModel {

    /** Every parameter under its state-dict name, in a fixed order. */
    Map<String, Parameter> parameters();

    /** The ids of the tasks a {@link StepResult} has losses for, in the order epoch records list them. */
    List<String> taskIds();

    /** Writes the weights with the model's artifact metadata and {@code provenance}, atomically. */
    void saveArtifact(Path file, Provenance provenance) throws IOException;

    /** Loads weights written by {@link #saveArtifact} (the whole file is checked before anything changes). */
    void loadWeights(Path file) throws IOException;

    /**
     * The key of the validation score that picks the best epoch: {@code delta_m} (Δm, M³ViT's) is recorded
     * as the epoch record's {@code delta_m}, any other as its {@code score}. It also names the provenance
     * entry of best.safetensors.
     */
    default String selectionMetric() {
        return "delta_m";
    }

    /** M³ViT and the dense ViT: reference-named weights in an {@code infer.ModelArtifact}. */
    static TrainableModel of(MultiTaskModel model) {
        return new TrainableModel() {
            private final Map<String, Parameter> parameters = StateDict.parameters(model);

            @Override
            public Map<String, Parameter> parameters() {
                return parameters;
            }

            @Override
            public List<String> taskIds() {
                return model.config().tasks().ids();
            }

            @Override
            public void saveArtifact(Path file, Provenance provenance) throws IOException {
                ModelArtifact.save(model, file, provenance);
            }

            @Override
            public void loadWeights(Path file) throws IOException {
                ModelWeights.load(model, file);
            }
        };
    }
}
