package org.m3vit.generalist.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The notebook's interference ratio against values worked out by hand. */
class InterferenceMathTest {

    /** The Gram matrix of gradients [task][sample][coordinate], sample n of task t at t·N + n. */
    static double[][] gram(double[][][] g) {
        int n = g[0].length;
        int rows = g.length * n;
        double[][] out = new double[rows][rows];
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < rows; b++) {
                double[] x = g[a / n][a % n];
                double[] y = g[b / n][b % n];
                for (int p = 0; p < x.length; p++) {
                    out[a][b] += x[p] * y[p];
                }
            }
        }
        return out;
    }

    @Test
    void identicalGradientsInterfereByOne() {
        double[] v = {0.3, -1.2, 2.0};
        double[][][] g = {{v, v, v}, {v, v, v}, {v, v, v}};
        double[][] r = InterferenceMath.ratios(gram(g), 3, 3);
        for (double[] row : r) {
            for (double x : row) {
                assertEquals(1.0, x, 1e-12);
            }
        }
    }

    @Test
    void orthogonalTasksDoNotInterfere() {
        // task 0 lives on coordinates 0–1, task 1 on 2–3: every cross product is 0
        double[][][] g = {{{1, 2, 0, 0}, {2, -1, 0, 0}, {1, 1, 0, 0}}, {{0, 0, 1, 3}, {0, 0, 2, 2}, {0, 0, -1, 4}}};
        double[][] r = InterferenceMath.ratios(gram(g), 2, 3);
        assertEquals(1.0, r[0][0], 1e-12);
        assertEquals(1.0, r[1][1], 1e-12);
        assertEquals(0.0, r[0][1], 1e-12);
        assertEquals(0.0, r[1][0], 1e-12);
        assertEquals(0.0, InterferenceMath.meanOffDiagonal(r), 1e-12);
    }

    @Test
    void matchesAHandComputedCase() {
        // N = 2, so S_{j→i}[m] = Δ_{j→i}[1−m, m] (the diagonal n = m is dropped):
        // I[0][1] = (⟨g1¹,g0⁰⟩/‖g1¹‖ / 1 + ⟨g1⁰,g0¹⟩/‖g1⁰‖ / 1) / 2 = (0 + 1/√2) / 2
        // I[1][0] = ((⟨g0¹,g1⁰⟩/1) / (⟨g1¹,g1⁰⟩/‖g1¹‖) + (⟨g0⁰,g1¹⟩/1) / (⟨g1⁰,g1¹⟩/‖g1⁰‖)) / 2 = (1/1 + 0) / 2
        double[][][] g = {{{1, 0}, {1, 0}}, {{1, 1}, {0, 1}}};
        double[][] r = InterferenceMath.ratios(gram(g), 2, 2);
        assertEquals(1.0, r[0][0], 1e-12);
        assertEquals(1.0, r[1][1], 1e-12);
        assertEquals(Math.sqrt(0.5) / 2, r[0][1], 1e-12);
        assertEquals(0.5, r[1][0], 1e-12);
    }

    @Test
    void theStandardErrorOfTheHandComputedCase() {
        // per sample m, q[m] = mean over i ≠ j of S_{j→i}[m] / S_{i→i}[m]; from the case above
        // r_01 = [0, 1/√2] and r_10 = [1, 0], so q = [1/2, 1/(2√2)], whose mean is the mean off-diagonal
        // ratio; for N = 2, sd(q) = |q0 − q1| / √2 and the standard error sd / √2 = |q0 − q1| / 2
        double[][][] g = {{{1, 0}, {1, 0}}, {{1, 1}, {0, 1}}};
        double q0 = 0.5;
        double q1 = Math.sqrt(0.5) / 2;
        assertEquals((q0 + q1) / 2, InterferenceMath.meanOffDiagonal(InterferenceMath.ratios(gram(g), 2, 2)), 1e-12);
        assertEquals((q0 - q1) / 2, InterferenceMath.offDiagonalStandardError(gram(g), 2, 2), 1e-12);
    }

    @Test
    void samplesThatAllAgreeHaveNoStandardError() {
        double[] v = {0.3, -1.2, 2.0};
        double[][][] g = {{v, v, v}, {v, v, v}, {v, v, v}};
        assertEquals(0.0, InterferenceMath.offDiagonalStandardError(gram(g), 3, 3), 1e-12);
        assertTrue(Double.isNaN(InterferenceMath.offDiagonalStandardError(gram(new double[][][] {{v, v}}), 1, 2)));
    }

    @Test
    void aGradientAgainstItsOppositeIsMinusOne() {
        double[][][] g = {{{1, 2}, {2, 1}}, {{-1, -2}, {-2, -1}}};
        double[][] r = InterferenceMath.ratios(gram(g), 2, 2);
        assertEquals(-1.0, r[0][1], 1e-12);
        assertEquals(-1.0, r[1][0], 1e-12);
    }

    @Test
    void needsTwoSamples() {
        assertThrows(IllegalArgumentException.class, () -> InterferenceMath.ratios(new double[][] {{1}}, 1, 1));
    }
}
