package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.MultiTaskDataset;
import org.m3vit.data.Sample;
import org.m3vit.data.SampleBatch;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.nn.Scalars;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.LossOptions;
import org.m3vit.task.Task;

/**
 * The MoE training step runs the task-independent prefix once and continues every pathway from a
 * detached copy of it. Its gradients must equal the reference's: one full forward and backward per task
 * pathway (the prefix recomputed each time), summed.
 */
class SharedPrefixStepTest {

    @TempDir
    static Path data;

    /** Records the gradient each parameter has when the step applies it, instead of updating. */
    static final class Recorder extends ParameterOptimizer {
        final Map<String, float[]> seen = new LinkedHashMap<>();

        Recorder(Map<String, Parameter> parameters) {
            super(parameters, 0f, name -> false);
        }

        @Override
        protected void update(String name, NDArray weight, NDArray grad, float lr, float decay) {
            seen.put(name, grad.toFloatArray());
        }
    }

    @Test
    void gradientsEqualOneFullBackwardPerPathway() throws IOException {
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 6, 64, 64, 3, 0.34, 2), data, i -> {});
        // MoE in blocks 1 and 3: the patch embedding, block 0 and block 1's attention are the shared prefix
        TrainConfig config =
                TrainConfig.load(Path.of("configs/synth/vit_moe/tiny_pascal.yml"), Map.of("grad_clip", 0, "seed", 3));
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            MultiTaskModel model = new MultiTaskModel(config.model()).initialize(manager);
            assertTrue(config.model().isMoe() && config.model().firstMoeBlock() > 0, "needs a shared prefix");
            Map<String, Parameter> parameters = TrainableModel.of(model).parameters();
            List<Parameter> trainable = TrainingLoop.enableGradients(parameters);
            MultiTaskDataset train = TrainingRun.trainSet(config, data);
            List<Sample> samples = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                samples.add(train.sample(i, 0));
            }
            SampleBatch batch = new SampleBatch(samples, train.taskOrder());

            Recorder recorder = new Recorder(parameters);
            new MultiTaskStep(config, model, parameters, trainable, recorder, manager).run(batch, 0, 0, 0.1f);

            Map<String, float[]> reference = referenceGradients(config, model, parameters, batch, manager);
            assertEquals(reference.keySet(), recorder.seen.keySet());
            int nonZero = 0;
            for (String name : reference.keySet()) {
                float[] want = reference.get(name);
                float[] got = recorder.seen.get(name);
                double scale = 1e-6;
                for (float v : want) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-4 * scale, name + "[" + i + "]");
                }
                nonZero += scale > 1e-6 ? 1 : 0;
            }
            // the prefix (patch embedding, block 0, block 1's attention) must have received gradient
            assertTrue(Math.abs(sum(reference.get("backbone.patch_embed.proj.weight"))) > 0);
            assertTrue(nonZero > reference.size() / 2, nonZero + " of " + reference.size() + " gradients non-zero");
        }
    }

    /** Σ over tasks of ∇(weighted loss + aux), each task through its own full pathway. */
    private static Map<String, float[]> referenceGradients(
            TrainConfig config,
            MultiTaskModel model,
            Map<String, Parameter> parameters,
            SampleBatch batch,
            NDManager manager) {
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager();
                NDScope scope = new NDScope()) {
            NDList arrays = batch.toNDList(sub);
            for (Task t : model.config().tasks().tasks()) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    MultiTaskModel.TaskOutput out = model.forward(ps, arrays.get(0), t, true);
                    NDArray target = arrays.get(batch.tasks().indexOf(t) + 1);
                    NDArray loss = t.spec().loss(out.prediction(), target, new LossOptions(config.edgePosWeight()));
                    NDArray weighted =
                            loss.mul(Scalars.of(loss, config.lossWeights().get(t)));
                    gc.backward(weighted.add(out.auxLoss().mul(Scalars.of(loss, config.auxWeight()))));
                }
            }
            Map<String, float[]> grads = new LinkedHashMap<>();
            parameters.forEach((name, p) -> {
                if (p.requiresGradient()) {
                    NDArray g = p.getArray().getGradient();
                    grads.put(name, g.toFloatArray());
                    g.subi(g);
                }
            });
            return grads;
        }
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += Math.abs(x);
        }
        return s;
    }
}
