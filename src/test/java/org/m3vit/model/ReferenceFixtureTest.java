package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.TensorInfo;
import org.m3vit.task.Task;

/**
 * A state dict written by an independent PyTorch implementation (make_reference_fixture.py) loads
 * unchanged and reproduces that implementation's per-task head outputs.
 */
class ReferenceFixtureTest {

    private static final double TOL = 1e-4;

    @Test
    void multiGateFixtureMatchesPyTorch() throws Exception {
        check("multigate");
    }

    @Test
    void taskConditionedFixtureMatchesPyTorch() throws Exception {
        check("taskcond");
    }

    private static void check(String name) throws Exception {
        ModelConfig config = ConfigLoader.load(Fixtures.path(name + ".yml"));
        try (NDManager manager = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Fixtures.path(name + "_io.safetensors"))) {
            MultiTaskModel model = new MultiTaskModel(config).initialize(manager);
            ModelWeights.load(model, Fixtures.path(name + "_weights.safetensors"));
            assertEquals(123, model.head(config.tasks().get(0)).batchNorm(2).numBatchesTracked());
            ParameterStore ps = new ParameterStore(manager, false);
            TensorInfo in = io.info("input");
            NDArray x = manager.create(io.floats("input"), new Shape(in.shape()));

            MultiTaskModel.MultiTaskOutput all = model.forwardAll(ps, x, false);
            for (Task t : config.tasks().tasks()) {
                float[] want = io.floats("out." + t.id());
                NDArray single = model.forward(ps, x, t, false).prediction();
                assertArrayEquals(
                        io.info("out." + t.id()).shape(), single.getShape().getShape(), t.id());
                assertClose(t.id() + " (single pathway)", want, single.toFloatArray());
                assertClose(
                        t.id() + " (all tasks)", want, all.predictions().get(t).toFloatArray());
            }
            Map<Integer, NDArray> c0 =
                    all.backbones().get(config.tasks().get(0)).expertCounts();
            assertTrue(c0.containsKey(1), "block 1 is an MoE block");
        }
    }

    static void assertClose(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what + ": element count");
        double max = 0;
        double scale = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i] - got[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        assertTrue(scale > 0.1, what + ": fixture outputs are degenerate (max |y| = " + scale + ")");
        assertTrue(max <= TOL, what + ": max abs diff " + max + " > " + TOL + " (max |y| = " + scale + ")");
    }
}
