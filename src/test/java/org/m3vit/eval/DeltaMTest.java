package org.m3vit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Δm on hand-built cases with known answers. */
class DeltaMTest {

    @Test
    void deltaMUsesReferenceSigns() {
        // semseg +10% relative, depth RMSE 10% worse (higher) → (+0.1 − 0.1)/2 = 0
        double dm = DeltaM.compute(Map.of("semseg", 0.4829, "depth", 0.6435), DeltaM.nyud());
        assertEquals(0.0, dm, 1e-9);
        double better = DeltaM.compute(Map.of("normals", 13.9 * 0.9), DeltaM.pascal());
        assertEquals(10.0, better, 1e-9);
        assertEquals(Double.NaN, DeltaM.compute(Map.of("unknown", 1.0), DeltaM.pascal()));
    }
}
