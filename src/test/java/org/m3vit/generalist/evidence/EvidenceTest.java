package org.m3vit.generalist.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.generalist.GeneralistFixtures;
import org.m3vit.generalist.OneThread;

/** Interference and expert-activation maps on a freshly initialised tiny generalist. */
@ExtendWith(OneThread.class)
class EvidenceTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void corpus() throws IOException {
        GeneralistFixtures.corpus(data, 24, 12, 5);
    }

    @Test
    void interferenceOfARealModelHasAUnitDiagonal() throws IOException {
        GeneralistConfig config = GeneralistFixtures.tiny();
        try (NDManager m = NDManager.newBaseManager();
                GeneralistFixtures.Setup s = GeneralistFixtures.setup(config, data, m)) {
            Interference.Result r = Interference.run(
                    s.context(),
                    new Interference.Options(List.of(0, 1), "ffn.fc2", 3, 2, config.taskIds(), 1),
                    x -> {});
            assertEquals("blocks.0.mlp.fc2.weight", r.parameters().get(0));
            assertTrue(
                    r.parameters().get(1).startsWith("blocks.1.mlp.fc2."),
                    r.parameters().get(1));
            for (double[][] mx : r.matrices().values()) {
                assertEquals(6, mx.length);
                for (int i = 0; i < mx.length; i++) {
                    assertEquals(1.0, mx[i][i], 1e-9);
                    for (double v : mx[i]) {
                        assertTrue(Double.isFinite(v), "finite ratios");
                    }
                }
            }
            assertEquals(r.matrices().keySet(), r.standardErrors().keySet());
            for (double se : r.standardErrors().values()) {
                assertTrue(Double.isFinite(se) && se >= 0, "standard error " + se);
            }
            InvalidInputException e = assertThrows(
                    InvalidInputException.class,
                    () -> Interference.run(
                            s.context(),
                            new Interference.Options(List.of(1), "mlp.fc9", 2, 2, config.taskIds(), 1),
                            x -> {}));
            assertTrue(e.getMessage().contains("mlp.fc9") && e.getMessage().contains("mlp.fc2"), e.getMessage());
            e = assertThrows(
                    InvalidInputException.class,
                    () -> Interference.run(
                            s.context(),
                            new Interference.Options(List.of(7), "mlp.fc2", 2, 2, config.taskIds(), 1),
                            x -> {}));
            assertTrue(e.getMessage().startsWith("layers:"), e.getMessage());
        }
    }

    @Test
    void activationSharesSumToOnePerBlockAndCondition() throws IOException {
        GeneralistConfig config = GeneralistFixtures.tiny();
        try (NDManager m = NDManager.newBaseManager();
                GeneralistFixtures.Setup s = GeneralistFixtures.setup(config, data, m)) {
            for (ExpertActivation.Condition c : ExpertActivation.Condition.values()) {
                ExpertActivation.Result r = ExpertActivation.run(s.context(), config.taskIds(), c, 1, 4, 0);
                assertEquals(List.of("attn", "mlp"), List.copyOf(r.shares().keySet()));
                assertEquals(8, r.experts());
                for (var group : r.shares().values()) {
                    assertTrue(!group.isEmpty());
                    group.forEach((row, shares) -> {
                        assertTrue(row.startsWith("block 1 · "), row); // the tiny config's only MoE block
                        double sum = 0;
                        int used = 0;
                        for (double v : shares) {
                            sum += v;
                            used += v > 0 ? 1 : 0;
                        }
                        assertEquals(1.0, sum, 1e-9, row);
                        if (c != ExpertActivation.Condition.TASK) {
                            // segment-level (attribute) routing: one condition's tokens all go to the same top-2
                            assertTrue(used <= 2 || c == ExpertActivation.Condition.MODALITY, row + " uses " + used);
                        }
                    });
                }
                if (c == ExpertActivation.Condition.ATTRIBUTE) {
                    assertTrue(r.shares().get("mlp").containsKey("block 1 · visual input"));
                    assertTrue(r.shares().get("mlp").containsKey("block 1 · caption text"));
                }
            }
        }
    }
}
