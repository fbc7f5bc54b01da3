package org.m3vit.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GeneralistReportTest {

    @Test
    void interferenceVerdictComparesMagnitudesWithinTheRatiosRange() {
        assertEquals("MoE reduced it", GeneralistReport.verdict(0.5, 0.05, -0.1, 0.05));
        assertEquals("MoE did not reduce it", GeneralistReport.verdict(0.02, 0.001, -0.05, 0.001));
    }

    @Test
    void aDifferenceWithinTheSamplingNoiseCannotBeTold() {
        // |0.5| − |0.2| = 0.3 < 2·√(0.12² + 0.1²) = 0.312
        assertTrue(GeneralistReport.verdict(0.5, 0.12, 0.2, 0.1).startsWith("cannot tell"));
        // the same gap with half the errors is beyond 2·√(0.06² + 0.05²) = 0.156
        assertEquals("MoE reduced it", GeneralistReport.verdict(0.5, 0.06, 0.2, 0.05));
        assertTrue(GeneralistReport.verdict(0.5, Double.NaN, 0.2, 0.05).startsWith("cannot tell"));
    }

    @Test
    void aRatioOutsideMinusOneToOneGetsNoVerdict() {
        assertTrue(GeneralistReport.verdict(-2.986, 0.1, 0.133, 0.1).startsWith("no verdict"));
        assertTrue(GeneralistReport.verdict(0.1, 0.1, -7.9, 0.1).startsWith("no verdict"));
        assertTrue(GeneralistReport.verdict(Double.NaN, 0.1, 0.1, 0.1).startsWith("no verdict"));
    }

    @Test
    void theBudgetSentenceNamesBothBudgetsOnlyWhenTheyDiffer() {
        assertEquals("Every model trains 1500 steps.", GeneralistReport.budgets(1500, 1500));
        assertEquals(
                "The dense and attribute-routed models train 1500 steps, the other routing levels 1200.",
                GeneralistReport.budgets(1500, 1200));
    }
}
