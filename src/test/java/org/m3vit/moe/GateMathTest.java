package org.m3vit.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.m3vit.moe.MoeTestSupport.cvSquared;
import static org.m3vit.moe.MoeTestSupport.phi;
import static org.m3vit.moe.MoeTestSupport.softmax;
import static org.m3vit.moe.MoeTestSupport.topK;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gate math against values computed by hand in plain Java (double precision). */
class GateMathTest {

    // 3 rows of width 2 routed over 4 experts.
    private static final float[][] ROWS = {{1f, 0f}, {0f, 1f}, {0.5f, -1f}};
    private static final float[][] W = {{0.2f, -0.1f, 0.7f, 0.0f}, {0.3f, 0.9f, -0.4f, 0.1f}};

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        ps = MoeTestSupport.store(manager);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private <G extends Gate> G init(G gate) {
        gate.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        MoeTestSupport.set(gate, "w_gate", manager.create(W));
        return gate;
    }

    private static double[][] logits() {
        double[][] out = new double[ROWS.length][4];
        for (int r = 0; r < ROWS.length; r++) {
            for (int e = 0; e < 4; e++) {
                out[r][e] = ROWS[r][0] * W[0][e] + ROWS[r][1] * W[1][e];
            }
        }
        return out;
    }

    @Test
    void noisyVmoeEvalUsesUnrenormalisedSoftmaxProbabilities() {
        NoisyVmoeGate gate = init(new NoisyVmoeGate(2, 4, 2, 1f));
        GateDecision d = gate.route(ps, manager.create(ROWS), false);
        double[][] z = logits();
        double[] importance = new double[4];
        double[] count = new double[4];
        for (int r = 0; r < 3; r++) {
            double[] p = softmax(z[r]);
            int[] top = topK(p, 2);
            assertArrayEquals(new long[] {top[0], top[1]}, d.indices().get(r).toLongArray(), "row " + r);
            float[] s = d.scores().get(r).toFloatArray();
            assertEquals(p[top[0]], s[0], 1e-6);
            assertEquals(p[top[1]], s[1], 1e-6);
            importance[top[0]] += p[top[0]];
            importance[top[1]] += p[top[1]];
            count[top[0]]++;
            count[top[1]]++;
        }
        assertArrayEquals(toFloat(importance), d.importance().toFloatArray(), 1e-6f);
        assertArrayEquals(toFloat(count), d.load().toFloatArray(), 0f);
        assertEquals(0f, d.auxLoss().getFloat(), 0f, "no aux loss in eval");
    }

    @Test
    void noisyVmoeTrainingWithoutNoiseUsesCountLoad() {
        NoisyVmoeGate gate = init(new NoisyVmoeGate(2, 4, 2, 0f));
        GateDecision d = gate.route(ps, manager.create(ROWS), true);
        double[][] z = logits();
        double[] importance = new double[4];
        double[] count = new double[4];
        for (int r = 0; r < 3; r++) {
            double[] p = softmax(z[r]);
            for (int e : topK(p, 2)) {
                importance[e] += p[e];
                count[e]++;
            }
        }
        double expected = cvSquared(importance) + cvSquared(count);
        assertEquals(expected, d.auxLoss().getFloat(), 1e-5);
    }

    @Test
    void smoothLoadMatchesShazeerEstimatorByHand() {
        // probInTopK with explicit noisy values, so the expectation does not depend on random draws.
        NoisyVmoeGate gate = init(new NoisyVmoeGate(2, 4, 2, 1f));
        float[][] clean = {{0.1f, 0.5f, -0.2f, 0.3f}};
        float[][] noisy = {{0.2f, 0.4f, -0.1f, 0.35f}};
        float[][] top = {{0.40f, 0.35f, 0.20f}}; // best first, k+1 = 3 values
        float sigma = 0.25f;
        NDArray got = gate.probInTopK(
                manager.create(clean), manager.create(noisy), manager.create(sigma), manager.create(top));
        float[] g = got.toFloatArray();
        for (int e = 0; e < 4; e++) {
            // threshold if in = (k+1)-th value = 0.20; if out = k-th value = 0.35
            double threshold = noisy[0][e] > 0.20f ? 0.20 : 0.35;
            assertEquals(phi((clean[0][e] - threshold) / sigma), g[e], 2e-6, "expert " + e);
        }
    }

    @Test
    void cvSquaredUsesUnbiasedVariance() {
        NDArray x = manager.create(new float[] {1f, 2f, 3f, 4f});
        // mean 2.5, unbiased variance 5/3, cv² = (5/3) / 6.25
        assertEquals((5.0 / 3.0) / 6.25, Gate.cvSquared(x).getFloat(), 1e-6);
        assertEquals(0f, Gate.cvSquared(manager.create(new float[] {3f})).getFloat(), 0f);
    }

    @Test
    void topkSoftmaxRenormalisesOverTheK() {
        TopkSoftmaxGate gate = init(new TopkSoftmaxGate(2, 4, 2, 0f));
        GateDecision d = gate.route(ps, manager.create(ROWS), true);
        double[][] z = logits();
        double[] meanProb = new double[4];
        double[] top1 = new double[4];
        for (int r = 0; r < 3; r++) {
            double[] p = softmax(z[r]);
            int[] top = topK(p, 2);
            float[] s = d.scores().get(r).toFloatArray();
            double norm = p[top[0]] + p[top[1]];
            assertEquals(p[top[0]] / norm, s[0], 1e-6);
            assertEquals(p[top[1]] / norm, s[1], 1e-6);
            for (int e = 0; e < 4; e++) {
                meanProb[e] += p[e] / 3;
            }
            top1[top[0]] += 1.0 / 3;
        }
        double aux = 0;
        for (int e = 0; e < 4; e++) {
            aux += meanProb[e] * top1[e];
        }
        assertEquals(4 * aux, d.auxLoss().getFloat(), 1e-5);
    }

    @Test
    void noisyTopkEvalTakesTopkOnLogitsThenSoftmaxOverK() {
        NoisyTopkGate gate = init(new NoisyTopkGate(2, 4, 3));
        GateDecision d = gate.route(ps, manager.create(ROWS), false);
        double[][] z = logits();
        for (int r = 0; r < 3; r++) {
            int[] top = topK(z[r], 3);
            double[] sm = softmax(new double[] {z[r][top[0]], z[r][top[1]], z[r][top[2]]});
            assertArrayEquals(
                    new long[] {top[0], top[1], top[2]}, d.indices().get(r).toLongArray());
            assertArrayEquals(toFloat(sm), d.scores().get(r).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void kEqualsEPicksEveryExpert() {
        NoisyVmoeGate gate = init(new NoisyVmoeGate(2, 4, 4, 0f));
        GateDecision d = gate.route(ps, manager.create(ROWS), true);
        // With k = E every probability is selected: importance per expert is the column sum of softmax.
        double[][] z = logits();
        double[] importance = new double[4];
        for (double[] row : z) {
            double[] p = softmax(row);
            for (int e = 0; e < 4; e++) {
                importance[e] += p[e];
            }
        }
        assertArrayEquals(toFloat(importance), d.importance().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {3, 3, 3, 3}, d.load().toFloatArray(), 0f);
    }

    @Test
    void trainingNoiseHasStdNoiseOverE() {
        // Zero gate weights: clean logits are 0, so the noisy logits are pure noise with σ = 2/4.
        NoisyVmoeGate gate = new NoisyVmoeGate(2, 4, 1, 2f);
        gate.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        MoeTestSupport.set(gate, "w_gate", manager.zeros(new Shape(2, 4)));
        NDArray clean = manager.zeros(new Shape(20000, 2));
        // Rebuild the noise the same way the gate draws it and check its spread via the selected scores:
        // top-1 of softmax(noise) > 1/4 always; the mean top-1 probability for σ = 0.5 over 4 experts
        // lies well above the noiseless 0.25.
        GateDecision d = gate.route(ps, clean, true);
        float meanTop = d.scores().mean().getFloat();
        GateDecision eval = gate.route(ps, clean, false);
        assertEquals(0.25f, eval.scores().mean().getFloat(), 1e-6f, "no noise in eval");
        // E[max of 4 softmax probs] with N(0, 0.5²) logits ≈ 0.39 (computed by Monte Carlo in double below)
        Random rnd = new Random(7);
        double acc = 0;
        int n = 200000;
        for (int i = 0; i < n; i++) {
            double[] v = new double[4];
            for (int e = 0; e < 4; e++) {
                v[e] = 0.5 * rnd.nextGaussian();
            }
            double[] p = softmax(v);
            acc += p[topK(p, 1)[0]];
        }
        assertEquals(acc / n, meanTop, 0.005);
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
