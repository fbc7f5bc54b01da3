package org.m3vit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
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

    /**
     * Unequal relative changes on every task of each dataset, worked out by hand, so that a wrong sign on
     * any one task, a missing division by the task count, or a division by the wrong count changes the
     * answer (the first case above sums to 0 and would not notice).
     */
    @Test
    void everyTaskWithUnequalChanges() {
        // PASCAL: semseg +10 %, human_parts −20 %, sal +30 %, normals 10 % lower angle (better: +10 %),
        // edge −5 %  →  (10 − 20 + 30 + 10 − 5) / 5 = 5.0
        Map<String, Double> pascal = new LinkedHashMap<>();
        pascal.put("semseg", 0.662 * 1.1);
        pascal.put("human_parts", 0.599 * 0.8);
        pascal.put("sal", 0.663 * 1.3);
        pascal.put("normals", 13.9 * 0.9);
        pascal.put("edge", 0.688 * 0.95);
        assertEquals(5.0, DeltaM.compute(pascal, DeltaM.pascal()), 1e-9);
        // flipping one sign at a time moves Δm by 2·change/5
        pascal.put("normals", 13.9 * 1.1); // 10 % higher angle: worse
        assertEquals(1.0, DeltaM.compute(pascal, DeltaM.pascal()), 1e-9);
        pascal.put("edge", 0.688 * 1.05);
        assertEquals(3.0, DeltaM.compute(pascal, DeltaM.pascal()), 1e-9);

        // NYUD: semseg +4 %, depth RMSE 25 % higher (worse: −25 %), normals 7 % lower (better: +7 %)
        //  →  (4 − 25 + 7) / 3 = −14/3
        Map<String, Double> nyud = new LinkedHashMap<>();
        nyud.put("semseg", 0.439 * 1.04);
        nyud.put("depth", 0.585 * 1.25);
        nyud.put("normals", 19.763 * 0.93);
        assertEquals(-14.0 / 3, DeltaM.compute(nyud, DeltaM.nyud()), 1e-9);
        // depth 25 % lower instead: (4 + 25 + 7) / 3 = 12
        nyud.put("depth", 0.585 * 0.75);
        assertEquals(12.0, DeltaM.compute(nyud, DeltaM.nyud()), 1e-9);
        // a task without a reference does not count, and does not change the divisor
        nyud.put("edge", 123.0);
        assertEquals(12.0, DeltaM.compute(nyud, DeltaM.nyud()), 1e-9);
        // two of three tasks: semseg +4 %, normals +7 % → 5.5
        assertEquals(
                5.5, DeltaM.compute(Map.of("semseg", 0.439 * 1.04, "normals", 19.763 * 0.93), DeltaM.nyud()), 1e-9);
    }
}
