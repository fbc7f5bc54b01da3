package org.m3vit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.infer.Predictor;

/** Buffer counts from a count or a budget; a budget too small names both sizes; sizes as people write them. */
class BufferPlanTest {

    @Test
    void theBudgetGivesAsManyBuffersAsFitBesideTheResidentWeights() {
        BufferPlan p = BufferPlan.of(null, 1000L + 5 * 100 + 99, 1000, 100, 48);
        assertEquals(5, p.buffers());
        assertEquals(2, BufferPlan.of(null, null, 1000, 100, 48).buffers(), "default: double buffering");
        assertEquals(48, BufferPlan.of(null, 1L << 40, 1000, 100, 48).buffers(), "never more than every expert");
        assertEquals(3, BufferPlan.of(3, 1000L + 300, 1000, 100, 48).buffers());
    }

    @Test
    void aBudgetTooSmallForTwoBuffersIsRefusedWithBothSizes() {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> BufferPlan.of(null, 1199L, 1000, 100, 48));
        assertEquals("memory budget", e.subject());
        assertTrue(e.getMessage().contains("(1000 bytes)") && e.getMessage().contains("(200 bytes)"), e.getMessage());
        assertTrue(!e.getMessage().contains("--"), "names no flag: " + e.getMessage());
        InvalidInputException tooMany =
                assertThrows(InvalidInputException.class, () -> BufferPlan.of(4, 1300L, 1000, 100, 48));
        assertTrue(tooMany.getMessage().contains("at most 3 buffers fit"), tooMany.getMessage());
        assertThrows(InvalidInputException.class, () -> BufferPlan.of(1, null, 1000, 100, 48));
    }

    @Test
    void sizesParseInBinaryAndDecimalUnits() {
        assertEquals(64L << 20, ByteSize.parse("64MiB", "b"));
        assertEquals(1536L << 20, ByteSize.parse("1.5 GiB", "b"));
        assertEquals(200_000_000L, ByteSize.parse("200MB", "b"));
        assertEquals(4096, ByteSize.parse("4096", "b"));
        assertEquals(2000, ByteSize.parse("2k", "b"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ByteSize.parse("lots", "budget"));
        assertEquals("budget", e.subject());
        assertEquals("64.0 MiB", ByteSize.format(64L << 20));
    }

    @Test
    void aPredictorRefusesABudgetBelowItsResidentWeightsPlusTwoExperts(@TempDir Path dir) throws Exception {
        ModelConfig c = RuntimeFixtures.multigate();
        Path w = RuntimeFixtures.artifact(c, dir.resolve("w.safetensors"));
        long resident;
        long buffer;
        try (Predictor p = Predictor.builder().weights(w).expertBuffers(2).build()) {
            buffer = p.runtimeReport().bufferBytes() / 2;
        }
        InvalidInputException e = assertThrows(
                InvalidInputException.class,
                () -> Predictor.builder().weights(w).memoryBudget(1024).build());
        assertEquals("memory budget", e.subject());
        assertTrue(e.getMessage().contains("(" + 2 * buffer + " bytes)"), e.getMessage());
        resident = Long.parseLong(e.getMessage().replaceAll(".* need \\S+ \\S+ \\((\\d+) bytes\\) and two.*", "$1"));
        // exactly resident + two buffers is enough, and gives two buffers
        try (Predictor p = Predictor.builder()
                .weights(w)
                .memoryBudget(resident + 2 * buffer)
                .build()) {
            assertEquals(2, p.runtimeReport().buffers());
        }
        assertThrows(InvalidInputException.class, () -> Predictor.builder()
                .weights(w)
                .memoryBudget(resident + 2 * buffer - 1)
                .build());
    }
}
