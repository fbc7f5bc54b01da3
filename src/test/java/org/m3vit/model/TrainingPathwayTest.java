package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
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
            ModelConfig c = TestConfigs.tiny().noisyStd(1f).build();
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            Map<String, Parameter> p = StateDict.parameters(model);
            p.values().forEach(x -> {
                if (x.requiresGradient()) {
                    x.getArray().setRequiresGradient(true);
                }
            });
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 48));
            try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
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
            float[] rm = p.get("decoders.sal.syncbn_fc_0.running_mean").getArray().toFloatArray();
            float sum = 0;
            for (float v : rm) {
                sum += Math.abs(v);
            }
            assertTrue(sum > 0, "running mean moved (torch momentum 0.1)");
        }
    }

    private static boolean nonZero(Parameter p) {
        NDArray g = p.getArray().getGradient();
        return g.abs().sum().getFloat() > 0;
    }
}
