package org.m3vit.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.function.Supplier;
import org.m3vit.nn.StateDict;

/** Helpers shared by the MoE tests. */
final class MoeTestSupport {

    private MoeTestSupport() {}

    static ParameterStore store(NDManager manager) {
        return new ParameterStore(manager, false);
    }

    static void set(Block block, String name, NDArray value) {
        Parameter p = StateDict.parameters(block).get(name);
        if (p == null) {
            throw new IllegalStateException("no parameter " + name + " in "
                    + StateDict.parameters(block).keySet());
        }
        value.toType(p.getArray().getDataType(), false).copyTo(p.getArray());
    }

    /** Copies every parameter of {@code from} into the same-named parameter of {@code to}. */
    static void copyParameters(Block from, Block to) {
        Map<String, Parameter> src = StateDict.parameters(from);
        Map<String, Parameter> dst = StateDict.parameters(to);
        assertEquals(src.keySet(), dst.keySet());
        src.forEach((name, p) -> p.getArray().copyTo(dst.get(name).getArray()));
    }

    /** Runs {@code loss} under a fresh gradient collector after zeroing gradients of {@code block}. */
    static void backward(Block block, Supplier<NDArray> loss) {
        for (Parameter p : StateDict.parameters(block).values()) {
            NDArray g = p.getArray().getGradient();
            if (g != null) {
                g.muli(0f);
            }
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.get());
        }
    }

    static NDArray grad(Block block, String name) {
        return StateDict.parameters(block).get(name).getArray().getGradient();
    }

    static double maxAbsDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape(), "shapes differ");
        return a.toType(DataType.FLOAT64, false)
                .sub(b.toType(DataType.FLOAT64, false))
                .abs()
                .max()
                .getDouble();
    }

    /** Standard normal CDF from Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), independent of the engine's erf. */
    static double phi(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1
                - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                        * t
                        * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    static double[] softmax(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            max = Math.max(max, d);
        }
        double sum = 0;
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.exp(v[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < v.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** Indices of the k largest values, largest first. */
    static int[] topK(double[] v, int k) {
        int[] idx = new int[k];
        boolean[] used = new boolean[v.length];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < v.length; i++) {
                if (!used[i] && (best < 0 || v[i] > v[best])) {
                    best = i;
                }
            }
            used[best] = true;
            idx[j] = best;
        }
        return idx;
    }

    static double cvSquared(double[] x) {
        double mean = 0;
        for (double d : x) {
            mean += d;
        }
        mean /= x.length;
        double var = 0;
        for (double d : x) {
            var += (d - mean) * (d - mean);
        }
        var /= x.length - 1;
        return var / (mean * mean + 1e-10);
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf via a high-order series/continued fraction good to ~1e-12 over the ranges the tests use. */
    static double erf(double x) {
        if (Math.abs(x) > 4) {
            return Math.signum(x);
        }
        // Maclaurin series: converges quickly for |x| <= 4 with enough terms in double precision.
        double sum = 0;
        double term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
