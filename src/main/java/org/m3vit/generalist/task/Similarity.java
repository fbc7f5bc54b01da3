package org.m3vit.generalist.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.nn.Scalars;

/** The pieces every similarity task shares: cross-entropy over candidates, top-k on the host, baselines. */
final class Similarity {

    private Similarity() {}

    /** Mean −log softmax(logits)[label] over rows (N, C) with int labels. */
    static NDArray crossEntropy(NDArray logits, int[] labels) {
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels[i];
        }
        NDManager m = logits.getManager();
        NDArray index = m.create(l, new Shape(l.length, 1)).toDevice(logits.getDevice(), false);
        return logits.logSoftmax(1).gather(index, 1).neg().mean();
    }

    /** Mean −Σ_j t_ij log softmax(logits)_ij with target distributions t (N, C) (rows sum to 1). */
    static NDArray softCrossEntropy(NDArray logits, NDArray targets) {
        NDArray nll = logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg();
        return nll.sum().div(Scalars.of(nll, nll.getShape().get(0)));
    }

    /** Whether {@code label} is among the {@code k} highest of {@code row}. */
    static boolean inTopK(float[] row, int label, int k) {
        int better = 0;
        for (int j = 0; j < row.length; j++) {
            if (row[j] > row[label] || (row[j] == row[label] && j < label)) {
                better++;
            }
        }
        return better < k;
    }

    static int argMax(float[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[best]) {
                best = j;
            }
        }
        return best;
    }

    /** Row {@code i} of a (rows, cols) float matrix read to the host. */
    static float[] row(float[] matrix, int cols, int i) {
        return Arrays.copyOfRange(matrix, i * cols, (i + 1) * cols);
    }

    /**
     * Top-1 and top-k accuracy of always answering the {@code k} classes most frequent in {@code train}
     * (most frequent first): the baseline a classifier that ignores its input reaches.
     */
    static double[] majority(int[] train, int[] eval, int classes, int k) {
        int[] counts = new int[classes];
        for (int t : train) {
            counts[t]++;
        }
        Integer[] order = new Integer[classes];
        for (int c = 0; c < classes; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> counts[b] != counts[a] ? counts[b] - counts[a] : a - b);
        double top1 = 0;
        double topK = 0;
        for (int e : eval) {
            top1 += e == order[0] ? 1 : 0;
            for (int j = 0; j < Math.min(k, classes); j++) {
                if (order[j] == e) {
                    topK++;
                    break;
                }
            }
        }
        return new double[] {top1 / Math.max(1, eval.length), topK / Math.max(1, eval.length)};
    }

    /** Map of key → value in insertion order. */
    static Map<String, Double> metrics(Object... keyValues) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], ((Number) keyValues[i + 1]).doubleValue());
        }
        return out;
    }

    /** How often each string occurs. */
    static Map<String, Integer> counts(List<String> items) {
        Map<String, Integer> out = new HashMap<>();
        for (String s : items) {
            out.merge(s, 1, Integer::sum);
        }
        return out;
    }
}
