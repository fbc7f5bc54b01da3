package org.m3vit.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GeneralistReportTest {

    @Test
    void interferenceVerdictComparesMagnitudesWithinTheRatiosRange() {
        assertEquals("MoE reduced it", GeneralistReport.verdict(0.5, -0.1));
        assertEquals("MoE did not reduce it", GeneralistReport.verdict(0.02, -0.05));
    }

    @Test
    void aRatioOutsideMinusOneToOneGetsNoVerdict() {
        assertTrue(GeneralistReport.verdict(-2.986, 0.133).startsWith("no verdict"));
        assertTrue(GeneralistReport.verdict(0.1, -7.9).startsWith("no verdict"));
        assertTrue(GeneralistReport.verdict(Double.NaN, 0.1).startsWith("no verdict"));
    }
}
