package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.m3vit.config.ModelConfig;
import org.m3vit.nn.StateDict;
import org.m3vit.task.Task;

/**
 * Task t's pathway depends on nothing of the other tasks: with every other task's routers (multi-gate:
 * their gates; task-conditioned: their columns of the task embedding's input layer) and heads replaced by
 * random values, task t's output is bit-identical, in eval and in a seeded training-mode forward (gate
 * noise on), and so are the gradients of its loss. Checked for both routing modes (the gradient-only
 * check is {@link TrainingPathwayTest}).
 */
class TaskIndependenceTest {

    static ModelConfig config(boolean multiGate) {
        ModelConfig.Builder b = TestConfigs.tiny().noisyStd(1f);
        return multiGate ? b.build() : b.multiGate(false).gateTaskSpecificDim(8).build();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void otherTasksRandomisedLeaveThePathwayBitIdentical(boolean multiGate) {
        ModelConfig c = config(multiGate);
        Task t = Task.SAL;
        int tid = c.tasks().tasks().indexOf(t);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            MultiTaskModel a = new MultiTaskModel(c).initialize(m);
            Engine.getInstance().setRandomSeed(11);
            MultiTaskModel b = new MultiTaskModel(c).initialize(m);
            Map<String, Parameter> pa = StateDict.parameters(a);
            Map<String, Parameter> pb = StateDict.parameters(b);
            for (var e : pa.entrySet()) {
                assertArrayEquals(
                        e.getValue().getArray().toFloatArray(),
                        pb.get(e.getKey()).getArray().toFloatArray());
            }
            List<String> changed = randomiseOtherTasks(pb, c, t, tid);
            assertTrue(changed.size() >= 8, "randomised " + changed);
            if (multiGate) {
                assertTrue(changed.contains("backbone.blocks.1.mlp.gate.0.w_gate"), changed.toString());
            } else {
                assertTrue(changed.contains("backbone.gate_task_represent.fc1.weight"), changed.toString());
            }
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 48));
            float[] evalA = a.forward(ps, x, t, false).prediction().toFloatArray();
            float[] evalB = b.forward(ps, x, t, false).prediction().toFloatArray();
            assertArrayEquals(evalA, evalB, "eval output of " + t);
            // the randomised model really is different for the other tasks
            Task other = Task.SEMSEG;
            assertFalse(java.util.Arrays.equals(
                    a.forward(ps, x, other, false).prediction().toFloatArray(),
                    b.forward(ps, x, other, false).prediction().toFloatArray()));

            enableGradients(pa);
            enableGradients(pb);
            float[][] trainA = trainStep(a, ps, x, t);
            float[][] trainB = trainStep(b, ps, x, t);
            assertArrayEquals(trainA[0], trainB[0], "training-mode output of " + t + " (same seed, gate noise on)");
            List<String> names = new ArrayList<>(pa.keySet());
            int compared = 0;
            for (int i = 0; i < names.size(); i++) {
                Parameter p = pa.get(names.get(i));
                if (!p.requiresGradient() || changed.contains(names.get(i))) {
                    continue;
                }
                assertArrayEquals(
                        p.getArray().getGradient().toFloatArray(),
                        pb.get(names.get(i)).getArray().getGradient().toFloatArray(),
                        "gradient of " + names.get(i));
                compared++;
            }
            assertTrue(compared > 30, "compared " + compared);
        }
    }

    /** One seeded training-mode forward and backward of task t's pathway: its output (the gradients stay). */
    private static float[][] trainStep(MultiTaskModel model, ParameterStore ps, NDArray x, Task t) {
        Engine.getInstance().setRandomSeed(5);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            MultiTaskModel.TaskOutput out = model.forward(ps, x, t, true);
            float[] y = out.prediction().toFloatArray();
            gc.backward(out.prediction().square().mean().add(out.auxLoss().mul(0.01f)));
            return new float[][] {y};
        }
    }

    private static void enableGradients(Map<String, Parameter> p) {
        p.values().forEach(v -> {
            if (v.requiresGradient()) {
                v.getArray().setRequiresGradient(true);
            }
        });
    }

    /** Overwrites every parameter that belongs to another task with random values; returns their names. */
    private static List<String> randomiseOtherTasks(Map<String, Parameter> p, ModelConfig c, Task t, int tid) {
        Random r = new Random(99);
        List<String> changed = new ArrayList<>();
        try (NDManager tmp = NDManager.newBaseManager()) {
            for (var e : p.entrySet()) {
                String name = e.getKey();
                NDArray a = e.getValue().getArray();
                float[] v = a.toFloatArray();
                boolean whole = false;
                for (Task o : c.tasks().tasks()) {
                    int oid = c.tasks().tasks().indexOf(o);
                    whole |= o != t
                            && (name.startsWith("decoders." + o.id() + ".") || name.contains(".gate." + oid + "."));
                }
                if (whole) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) r.nextGaussian();
                    }
                } else if (name.equals("backbone.gate_task_represent.fc1.weight")) {
                    long cols = a.getShape().get(1); // (G, T): column j is task j's
                    for (int i = 0; i < v.length; i++) {
                        if (i % cols != tid) {
                            v[i] = (float) r.nextGaussian();
                        }
                    }
                } else {
                    continue;
                }
                ModelWeights.copyInto(tmp, e.getValue(), v);
                changed.add(name);
            }
        }
        return changed;
    }
}
