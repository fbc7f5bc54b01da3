package org.m3vit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.data.MultiTaskDataset;
import org.m3vit.data.PrefetchLoader;
import org.m3vit.data.SampleBatch;
import org.m3vit.eval.DepthMetrics;
import org.m3vit.eval.EdgeMetrics;
import org.m3vit.eval.MeanIoU;
import org.m3vit.eval.NormalsMetrics;
import org.m3vit.eval.SaliencyMetrics;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.Task;

/**
 * Default validation: over the val split (un-augmented, in order) it computes each task's loss (the same
 * loss as training, unweighted, averaged over batches) and the task's metrics with the eval classes.
 */
public final class LossAndMetricsValidator implements Validator {

    private final MultiTaskDataset valSet;
    private final int batchSize;
    private final float edgePosWeight;
    private final NDManager manager;

    public LossAndMetricsValidator(MultiTaskDataset valSet, int batchSize, float edgePosWeight, NDManager manager) {
        this.valSet = valSet;
        this.batchSize = batchSize;
        this.edgePosWeight = edgePosWeight;
        this.manager = manager;
    }

    @Override
    public Map<Task, Map<String, Double>> validate(MultiTaskModel model, int epoch) {
        var tasks = model.config().tasks().tasks();
        Map<Task, double[]> loss = new EnumMap<>(Task.class);
        Map<Task, Accumulator> acc = new EnumMap<>(Task.class);
        for (Task t : tasks) {
            loss.put(t, new double[2]);
            acc.put(t, new Accumulator(t, model.config().tasks().channels(t)));
        }
        ParameterStore ps = new ParameterStore(manager, false);
        try (PrefetchLoader loader = new PrefetchLoader(valSet, 0, batchSize, false, false, 1, 2)) {
            for (SampleBatch batch : loader) {
                try (NDManager step = manager.newSubManager(); NDScope temporaries = new NDScope()) {
                    NDList arrays = batch.toNDList(step);
                    Map<Task, NDArray> pred = model.forwardAll(ps, arrays.get(0), false).predictions();
                    for (int i = 0; i < batch.tasks().size(); i++) {
                        Task t = batch.tasks().get(i);
                        if (!pred.containsKey(t)) {
                            continue;
                        }
                        NDArray target = arrays.get(i + 1);
                        double[] l = loss.get(t);
                        l[0] += TaskLosses.loss(t, pred.get(t), target, edgePosWeight).getFloat();
                        l[1] += 1;
                        acc.get(t).add(pred.get(t), target);
                    }
                }
            }
        }
        Map<Task, Map<String, Double>> out = new LinkedHashMap<>();
        for (Task t : tasks) {
            Map<String, Double> m = new LinkedHashMap<>();
            double[] l = loss.get(t);
            m.put("loss", l[1] == 0 ? Double.NaN : l[0] / l[1]);
            m.putAll(acc.get(t).result());
            out.put(t, m);
        }
        return out;
    }

    /** Turns a batch of head outputs into per-image host arrays for the task's metric. */
    private static final class Accumulator {
        private final Task task;
        private MeanIoU iou;
        private final SaliencyMetrics sal = new SaliencyMetrics();
        private final EdgeMetrics edge = new EdgeMetrics();
        private final NormalsMetrics normals = new NormalsMetrics();
        private final DepthMetrics depth = new DepthMetrics();

        Accumulator(Task task, int classes) {
            this.task = task;
            if (task.isClassMap()) {
                iou = new MeanIoU(classes);
            }
        }

        void add(NDArray pred, NDArray target) {
            int b = (int) pred.getShape().get(0);
            int h = (int) pred.getShape().get(2);
            int w = (int) pred.getShape().get(3);
            int n = h * w;
            switch (task) {
                case SEMSEG, HUMAN_PARTS -> {
                    long[] p = pred.argMax(1).toLongArray();
                    long[] g = target.toLongArray();
                    for (int i = 0; i < b; i++) {
                        iou.add(ints(p, i * n, n), ints(g, i * n, n));
                    }
                }
                case SAL, EDGE -> {
                    float[] p = ai.djl.nn.Activation.sigmoid(pred).toFloatArray();
                    float[] g = target.toFloatArray();
                    for (int i = 0; i < b; i++) {
                        float[] pi = Arrays.copyOfRange(p, i * n, (i + 1) * n);
                        int[] gi = ints(g, i * n, n);
                        if (task == Task.SAL) {
                            sal.add(pi, gi);
                        } else {
                            edge.add(pi, gi, h, w);
                        }
                    }
                }
                case NORMALS -> {
                    NDArray unit = pred.div(pred.square().sum(new int[] {1}, true).sqrt().add(1e-12f));
                    float[] p = unit.toFloatArray();
                    float[] g = target.toFloatArray();
                    for (int i = 0; i < b; i++) {
                        normals.add(Arrays.copyOfRange(p, i * 3 * n, (i + 1) * 3 * n),
                                Arrays.copyOfRange(g, i * 3 * n, (i + 1) * 3 * n));
                    }
                }
                case DEPTH -> {
                    float[] p = pred.toFloatArray();
                    float[] g = target.toFloatArray();
                    for (int i = 0; i < b; i++) {
                        depth.add(Arrays.copyOfRange(p, i * n, (i + 1) * n), Arrays.copyOfRange(g, i * n, (i + 1) * n));
                    }
                }
            }
        }

        Map<String, Double> result() {
            Map<String, Double> m = new LinkedHashMap<>();
            switch (task) {
                case SEMSEG, HUMAN_PARTS -> m.put("mIoU", iou.mean());
                case SAL -> {
                    m.put("mIoU", sal.meanIoU());
                    m.put("maxF", sal.maxF());
                }
                case EDGE -> m.put("odsF", edge.odsF());
                case NORMALS -> {
                    m.put("mean", normals.mean());
                    m.put("rmse", normals.rmse());
                }
                case DEPTH -> m.put("rmse", depth.rmse());
            }
            return m;
        }

        private static int[] ints(long[] a, int from, int n) {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = (int) a[from + i];
            }
            return out;
        }

        private static int[] ints(float[] a, int from, int n) {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = Math.round(a[from + i]);
            }
            return out;
        }
    }
}
