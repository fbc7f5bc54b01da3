package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.task.Task;

/** {@link TrainConfig}: typed enums, immutability, builder overrides, errors naming the key. */
class TrainConfigTest {

    static final Path CONFIG = Path.of("configs/synth/vit_moe/tiny_pascal.yml");

    private static TrainConfig load(Object... keyValues) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            o.put((String) keyValues[i], keyValues[i + 1]);
        }
        return TrainConfig.load(CONFIG, o);
    }

    @Test
    void readsTheYamlAndOverridesIntoEnums() throws IOException {
        TrainConfig c = load();
        assertEquals(OptimizerKind.ADAMW, c.optimizer());
        assertEquals(ScheduleKind.POLY, c.scheduler());
        assertEquals(4, c.trBatch());
        assertEquals(0.001f, c.lr());
        assertEquals(50f, c.lossWeights().get(Task.EDGE));
        TrainConfig o = load("optimizer", "SGD", "scheduler", "Cosine", "optimizer_kwargs.lr", 0.5, "epochs", 3);
        assertEquals(OptimizerKind.SGD, o.optimizer());
        assertEquals(ScheduleKind.COSINE, o.scheduler());
        assertEquals(0.5f, o.lr());
        assertEquals(3, o.epochs());
        assertEquals(load().hash(), c.hash(), "same file and overrides, same hash");
        assertNotEquals(c.hash(), o.hash());
    }

    @Test
    void isImmutableAndChangesThroughItsBuilder() throws IOException {
        TrainConfig c = load();
        assertThrows(UnsupportedOperationException.class, () -> c.lossWeights().put(Task.SAL, 0f));
        assertEquals(c, c.toBuilder().build(), "an unchanged copy is equal, hash included");

        TrainConfig changed = c.toBuilder()
                .epochs(7)
                .lr(0.01f)
                .optimizer(OptimizerKind.SGD)
                .gradClip(1.0)
                .build();
        assertEquals(7, changed.epochs());
        assertEquals(0.01f, changed.lr());
        assertEquals(OptimizerKind.SGD, changed.optimizer());
        assertEquals(1.0, changed.gradClip());
        assertEquals(c.trBatch(), changed.trBatch());
        assertEquals(2, c.epochs(), "the original is unchanged");
        assertNotEquals(c.hash(), changed.hash(), "a changed config is noticed on resume");
        assertEquals(
                changed.hash(),
                c.toBuilder()
                        .epochs(7)
                        .lr(0.01f)
                        .optimizer(OptimizerKind.SGD)
                        .gradClip(1.0)
                        .build()
                        .hash(),
                "the same changes give the same hash");

        Map<Task, Float> weights = new LinkedHashMap<>(c.lossWeights());
        TrainConfig reweighted = c.toBuilder().lossWeights(weights).build();
        weights.put(Task.SAL, 123f);
        assertEquals(5f, reweighted.lossWeights().get(Task.SAL), "the config keeps its own copy");
    }

    @Test
    void errorsNameTheKey() throws IOException {
        TrainConfig c = load();
        assertKey("trBatch", "trBatch: expected a positive integer, got '0'", () -> c.toBuilder()
                .trBatch(0)
                .build());
        assertKey(
                "optimizer_kwargs.lr",
                "optimizer_kwargs.lr: must be a finite number > 0 (as a float), got -1.0",
                () -> c.toBuilder().lr(-1f).build());
        assertKey(
                "grad_clip",
                "grad_clip: must be a finite number >= 0 (0 = off), got -1.0",
                () -> load("grad_clip", -1.0));
        assertKey(
                "loss_kwargs.loss_weights.human_parts",
                "loss_kwargs.loss_weights.human_parts: missing for an enabled" + " task",
                () -> c.toBuilder().lossWeights(Map.of(Task.SEMSEG, 1f)).build());
        assertKey(
                "loss_kwargs.loss_weights.sal",
                "loss_kwargs.loss_weights.sal: expected a finite number >= 0, got" + " 'NaN'",
                () -> c.toBuilder()
                        .lossWeights(Map.of(
                                Task.SEMSEG,
                                1f,
                                Task.HUMAN_PARTS,
                                2f,
                                Task.SAL,
                                Float.NaN,
                                Task.NORMALS,
                                1f,
                                Task.EDGE,
                                1f))
                        .build());
        assertKey(
                "optimizer",
                "optimizer: 'adam' is not supported; expected sgd or adamw",
                () -> load("optimizer", "adam"));
        assertKey(
                "scheduler",
                "scheduler: 'step' is not supported; expected poly or cosine",
                () -> load("scheduler", "step"));
        assertKey("epochs", "epochs: expected an integer, got string 'two'", () -> load("epochs", "two"));
    }

    /** Issue 16: values no optimizer can use are refused naming the key, as the float the optimizer would see. */
    @Test
    void impossibleValuesAreRefused() {
        Object[][] cases = {
            {"optimizer_kwargs.lr", 1e300, "optimizer_kwargs.lr: must be a finite number > 0 (as a float), got Infinity"
            },
            {"optimizer_kwargs.lr", 0.0, "optimizer_kwargs.lr: must be a finite number > 0 (as a float), got 0.0"},
            {
                "optimizer_kwargs.betas",
                List.of(1.0, 0.999),
                "optimizer_kwargs.betas: both must be in [0, 1), got [1.0, 0.999]"
            },
            {
                "optimizer_kwargs.betas",
                List.of(0.9, -0.1),
                "optimizer_kwargs.betas: both must be in [0, 1), got [0.9, -0.1]"
            },
            {"optimizer_kwargs.eps", -1e-8, "optimizer_kwargs.eps: must be a finite number > 0, got -1.0E-8"},
            {"optimizer_kwargs.momentum", 1.5, "optimizer_kwargs.momentum: must be in [0, 1), got 1.5"},
            {
                "optimizer_kwargs.weight_decay",
                -1.0,
                "optimizer_kwargs.weight_decay: must be a finite number >= 0, got -1.0"
            },
            {"moe_noisy_gate_loss_weight", -0.5, "moe_noisy_gate_loss_weight: must be a finite number >= 0, got -0.5"},
            {
                "moe_noisy_gate_loss_weight",
                1e300,
                "moe_noisy_gate_loss_weight: must be a finite number >= 0, got Infinity"
            },
            {
                "loss_kwargs.loss_weights.sal",
                1e300,
                "loss_kwargs.loss_weights.sal: expected a finite number >= 0, got 'Infinity'"
            },
            {"nworkers", 100000, "nworkers: 100000 loader threads is beyond the limit of 256"},
            {"scheduler_kwargs.warmup_steps", -5, "scheduler_kwargs.warmup_steps: must be >= 0, got -5"},
            {"task_dictionary.edge_w", 2.0, "task_dictionary.edge_w: must be in [0, 1], got 2.0"},
            {"trBatch", 100000000, "trBatch: the largest activation of a batch of 100000000 (bytes) is"},
        };
        for (Object[] c : cases) {
            String key = (String) c[0];
            InvalidInputException x = assertThrows(InvalidInputException.class, () -> load(key, c[1]));
            assertEquals(key, x.subject());
            assertTrue(x.getMessage().startsWith((String) c[2]), x.getMessage());
        }
    }

    private static void assertKey(String key, String message, org.junit.jupiter.api.function.Executable e) {
        InvalidInputException x = assertThrows(InvalidInputException.class, e);
        assertEquals(InvalidInputException.Kind.CONFIG_KEY, x.kind());
        assertEquals(key, x.subject());
        assertEquals(message, x.getMessage());
    }
}
