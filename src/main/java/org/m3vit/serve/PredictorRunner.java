package org.m3vit.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.infer.Preprocessing;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.Tensor;
import org.m3vit.io.TensorInfo;
import org.m3vit.task.Task;

/** A {@link ModelRunner} over the {@link Predictor}, the one inference path. */
public final class PredictorRunner implements ModelRunner {

    private final Predictor predictor;
    private final long expertBytes;

    public PredictorRunner(Predictor predictor, long expertBytes) {
        this.predictor = predictor;
        this.expertBytes = expertBytes;
    }

    /** Loads a weights file (an artifact, or a reference-format file with {@code config}). */
    public static PredictorRunner load(Path weights, ModelConfig config) throws IOException {
        Predictor p = Predictor.builder().weights(weights).config(config).build();
        try {
            return new PredictorRunner(p, expertBytes(weights));
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * Bytes of the MoE experts' stacked weights in a weights file, as float32 in memory (half-precision files
     * are widened on load). Expert tensors are the ones under a block's {@code mlp.experts.}.
     */
    static long expertBytes(Path weights) throws IOException {
        long bytes = 0;
        try (SafetensorsFile st = SafetensorsFile.open(weights)) {
            for (TensorInfo t : st.tensors().values()) {
                if (t.name().contains(".experts.")) {
                    bytes += 4L * t.numel();
                }
            }
        }
        return bytes;
    }

    @Override
    public ModelConfig config() {
        return predictor.config();
    }

    @Override
    public Preprocessing preprocessing() {
        return predictor.preprocessing();
    }

    @Override
    public Tensor run(List<ModelInput> inputs, Task task) {
        return predictor.predictBatch(inputs, task);
    }

    @Override
    public Map<Task, Tensor> runAll(List<ModelInput> inputs) {
        return predictor.predictAllBatch(inputs).outputs();
    }

    @Override
    public long expertBytes() {
        return expertBytes;
    }

    @Override
    public void close() {
        predictor.close();
    }
}
