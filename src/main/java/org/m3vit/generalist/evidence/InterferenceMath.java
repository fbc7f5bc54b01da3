package org.m3vit.generalist.evidence;

/**
 * The task-interference ratio of Uni-Perceiver-MoE's Table 1, exactly as the reference notebook
 * ({@code tools/calinterference.ipynb}) computes it from N gradient samples g_t^(n) per task:
 *
 * <pre>
 * Δ_{j→i}[n,m] = ⟨g_j^(n), g_i^(m)⟩ / ‖g_j^(n)‖          first-order loss decrease of task i (sample m)
 *                                                        after a unit step along task j's gradient n
 * S_{j→i}[m]   = (Σ_n Δ_{j→i}[n,m] − Δ_{j→i}[m,m]) / (N−1)   the diagonal n = m is dropped, even for j ≠ i
 * I[i][j]      = mean_m S_{j→i}[m] / S_{i→i}[m]             rows: affected task i, columns: source task j
 * </pre>
 *
 * The diagonal is 1; below 1 a step on j helps i less than i's own step does, below 0 it hurts i. The
 * notebook's magnitude threshold is 0 there (no effect) and is not reproduced.
 */
public final class InterferenceMath {

    private InterferenceMath() {}

    /**
     * @param gram the Gram matrix of all gradients, (T·N) × (T·N), sample n of task t at index t·N + n
     * @param tasks T
     * @param n N (at least 2: the diagonal is excluded)
     * @return I, T × T
     */
    public static double[][] ratios(double[][] gram, int tasks, int n) {
        double[][] s = supports(gram, tasks, n);
        double[][] out = new double[tasks][tasks];
        for (int i = 0; i < tasks; i++) {
            double[] own = s[i * tasks + i];
            for (int j = 0; j < tasks; j++) {
                double[] other = s[j * tasks + i];
                double sum = 0;
                for (int m = 0; m < n; m++) {
                    sum += other[m] / own[m];
                }
                out[i][j] = sum / n;
            }
        }
        return out;
    }

    /**
     * The standard error of {@link #meanOffDiagonal} over the samples: with q[m] the mean over i ≠ j of
     * S_{j→i}[m] / S_{i→i}[m] (so that mean_m q[m] is the mean off-diagonal ratio), sd(q) / √N, the
     * sample standard deviation. It is what tells a real difference between two models from the
     * sampling noise of N gradient samples; NaN for a single task, which has no off-diagonal.
     */
    public static double offDiagonalStandardError(double[][] gram, int tasks, int n) {
        double[][] s = supports(gram, tasks, n);
        if (tasks < 2) {
            return Double.NaN;
        }
        double[] q = new double[n];
        for (int m = 0; m < n; m++) {
            double sum = 0;
            for (int i = 0; i < tasks; i++) {
                for (int j = 0; j < tasks; j++) {
                    if (i != j) {
                        sum += s[j * tasks + i][m] / s[i * tasks + i][m];
                    }
                }
            }
            q[m] = sum / (tasks * (tasks - 1));
        }
        double mean = 0;
        for (double v : q) {
            mean += v;
        }
        mean /= n;
        double squares = 0;
        for (double v : q) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
    }

    /** S_{j→i} for every (j, i), at index j·T + i, each over every m; checks the shapes. */
    private static double[][] supports(double[][] gram, int tasks, int n) {
        if (n < 2) {
            throw new IllegalArgumentException("interference needs at least 2 samples per task, got " + n);
        }
        if (gram.length != tasks * n) {
            throw new IllegalArgumentException("Gram matrix has " + gram.length + " rows, expected " + tasks * n);
        }
        double[] norm = new double[tasks * n];
        for (int a = 0; a < norm.length; a++) {
            norm[a] = Math.sqrt(Math.max(0, gram[a][a]));
        }
        double[][] s = new double[tasks * tasks][];
        for (int j = 0; j < tasks; j++) {
            for (int i = 0; i < tasks; i++) {
                s[j * tasks + i] = support(gram, norm, j, i, n);
            }
        }
        return s;
    }

    /** S_{j→i}[m] for every m. */
    static double[] support(double[][] gram, double[] norm, int j, int i, int n) {
        double[] out = new double[n];
        for (int m = 0; m < n; m++) {
            double sum = 0;
            double diagonal = 0;
            for (int k = 0; k < n; k++) {
                double delta = gram[j * n + k][i * n + m] / norm[j * n + k];
                sum += delta;
                if (k == m) {
                    diagonal = delta;
                }
            }
            out[m] = (sum - diagonal) / (n - 1);
        }
        return out;
    }

    /** The mean of the off-diagonal entries: one number per layer for the comparison table. */
    public static double meanOffDiagonal(double[][] ratios) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < ratios.length; i++) {
            for (int j = 0; j < ratios.length; j++) {
                if (i != j) {
                    sum += ratios[i][j];
                    count++;
                }
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }
}
