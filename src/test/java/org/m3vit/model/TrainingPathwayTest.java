package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.config.ModelConfig;
import org.m3vit.nn.StateDict;
import org.m3vit.task.Task;

/** In training mode a task pathway trains only its own routers and head, and updates BN state. */
class TrainingPathwayTest {

    @Test
    void gradientsReachOnlyThePathwaysRoutersAndHead() {
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel model =
                    new MultiTaskModel(TestConfigs.tiny().noisyStd(1f).build()).initialize(m);
            Map<String, Parameter> p = trainableParameters(model);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 48));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                MultiTaskModel.TaskOutput out = model.forward(ps, x, Task.SAL, true);
                assertTrue(out.auxLoss().getFloat() >= 0f);
                gc.backward(out.prediction().square().mean().add(out.auxLoss().mul(0.01f)));
            }
            assertTrue(nonZero(p.get("backbone.blocks.1.mlp.gate.2.w_gate")), "sal's router (task id 2) trains");
            assertTrue(!nonZero(p.get("backbone.blocks.1.mlp.gate.0.w_gate")), "semseg's router is untouched");
            assertTrue(nonZero(p.get("decoders.sal.conv_0.weight")));
            assertTrue(!nonZero(p.get("decoders.semseg.conv_0.weight")));
            assertTrue(nonZero(p.get("backbone.patch_embed.proj.weight")));
            assertEquals(1, model.head(Task.SAL).batchNorm(0).numBatchesTracked());
            assertEquals(0, model.head(Task.EDGE).batchNorm(0).numBatchesTracked());
            float[] rm =
                    p.get("decoders.sal.syncbn_fc_0.running_mean").getArray().toFloatArray();
            float sum = 0;
            for (float v : rm) {
                sum += Math.abs(v);
            }
            assertTrue(sum > 0, "running mean moved (torch momentum 0.1)");
        }
    }

    /**
     * Why the trainer runs a dense model once per batch: for a backbone without routers, one backward of
     * the summed task losses over {@code forwardAll} gives the same gradients as one backward per task
     * pathway (the per-pathway path is the reference here).
     */
    @Test
    void denseModelOnePassGradientsEqualPerTaskAccumulation() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig c = TestConfigs.tiny().build().denseBaseline();
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            Map<String, Parameter> p = trainableParameters(model);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 48));
            List<Task> tasks = c.tasks().tasks();
            for (Task t : tasks) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(model.forward(ps, x, t, true)
                            .prediction()
                            .square()
                            .mean()
                            .mul(tasks.indexOf(t) + 1f));
                }
            }
            Map<String, float[]> perTask = new HashMap<>();
            p.forEach((k, v) -> {
                if (v.requiresGradient()) {
                    NDArray g = v.getArray().getGradient();
                    perTask.put(k, g.toFloatArray());
                    g.subi(g); // zero for the one-pass backward
                }
            });
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                MultiTaskModel.MultiTaskOutput out = model.forwardAll(ps, x, true);
                NDArray total = null;
                for (Task t : tasks) {
                    NDArray l = out.predictions().get(t).square().mean().mul(tasks.indexOf(t) + 1f);
                    total = total == null ? l : total.add(l);
                }
                gc.backward(total);
            }
            int compared = 0;
            for (var e : perTask.entrySet()) {
                float[] once = p.get(e.getKey()).getArray().getGradient().toFloatArray();
                float[] acc = e.getValue();
                double scale = 1e-12;
                for (float v : acc) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < acc.length; i++) {
                    assertEquals(acc[i], once[i], 1e-4 * scale, e.getKey() + "[" + i + "]");
                }
                compared++;
            }
            assertTrue(compared > 20, "compared " + compared + " gradients");
        }
    }

    /** The model's parameters by name, with gradients enabled on every trainable one (as the trainer does). */
    private static Map<String, Parameter> trainableParameters(MultiTaskModel model) {
        Map<String, Parameter> p = StateDict.parameters(model);
        p.values().forEach(x -> {
            if (x.requiresGradient()) {
                x.getArray().setRequiresGradient(true);
            }
        });
        return p;
    }

    private static boolean nonZero(Parameter p) {
        NDArray g = p.getArray().getGradient();
        return g.abs().sum().getFloat() > 0;
    }
}
