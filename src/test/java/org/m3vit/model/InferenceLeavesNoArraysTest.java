package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.task.Task;

/**
 * An inference call inside a scope (as the Predictor makes one) leaves nothing behind in the model's
 * manager: a server makes millions of calls, and every array that outlives one is memory never returned.
 */
class InferenceLeavesNoArraysTest {

    @Test
    @SuppressWarnings("try")
    void repeatedEvalForwardsDoNotGrowTheModelsManager() throws Exception {
        ModelConfig c = ConfigLoader.load(Path.of("configs/synth/vit_moe/tiny_pascal.yml"));
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            int before = m.getManagedArrays().size();
            for (int call = 0; call < 3; call++) {
                try (NDManager sub = m.newSubManager();
                        NDScope scope = new NDScope()) {
                    var image = sub.randomNormal(new Shape(2, 3, 64, 64));
                    model.forwardAll(new ParameterStore(sub, false), image, false)
                            .predictions()
                            .values()
                            .forEach(p -> p.toFloatArray());
                    model.forward(new ParameterStore(sub, false), image, Task.NORMALS, false)
                            .prediction()
                            .toFloatArray();
                }
                assertEquals(
                        before, m.getManagedArrays().size(), "arrays left in the model's manager after call " + call);
            }
        }
    }
}
