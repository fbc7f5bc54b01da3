package org.m3vit.serve;

import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Preprocessing;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;

/**
 * What the server needs of a loaded model: its config and preprocessing, and batched forward passes
 * through one task's pathway or all of them. {@link PredictorRunner} is the implementation (the
 * {@link org.m3vit.infer.Predictor}); the interface lets tests hold a forward pass to observe the server
 * while requests are in flight. Calls may come from several threads at once.
 */
public interface ModelRunner extends AutoCloseable {

    ModelConfig config();

    Preprocessing preprocessing();

    /** (N, C, H, W) of {@code task}'s head for the N inputs, in one forward pass. */
    Tensor run(List<ModelInput> inputs, Task task);

    /** Every task's (N, C, H, W), the shared prefix computed once. */
    Map<Task, Tensor> runAll(List<ModelInput> inputs);

    /** Bytes of expert weights this model holds in memory. */
    long expertBytes();

    @Override
    void close();
}
