package org.m3vit.spark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Row;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;
import scala.Tuple2;

/**
 * One partition of {@code spark predict}: rows (path, content) in, (output path, file bytes) out, lazily,
 * one batch at a time, so a partition never holds more than one batch of inputs and outputs. The model is
 * the executor JVM's cached predictor ({@link ExecutorPredictors}).
 */
final class PredictPartition implements PairFlatMapFunction<Iterator<Row>, String, byte[]> {

    private static final long serialVersionUID = 1L;

    private final SparkPredict.Settings settings;

    PredictPartition(SparkPredict.Settings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<Tuple2<String, byte[]>> call(Iterator<Row> rows) {
        return new Iterator<>() {
            private final ArrayDeque<Tuple2<String, byte[]>> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && rows.hasNext()) {
                    runBatch(rows, ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public Tuple2<String, byte[]> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Tuple2<String, byte[]> out = ready.poll();
                settings.fault().beforeOutput(out._1());
                return out;
            }
        };
    }

    private void runBatch(Iterator<Row> rows, ArrayDeque<Tuple2<String, byte[]>> ready) {
        Predictor predictor = ExecutorPredictors.get(settings.model());
        ModelConfig config = predictor.config();
        List<InputFile> batch = new ArrayList<>();
        while (batch.size() < settings.batch() && rows.hasNext()) {
            Row r = rows.next();
            batch.add(InputFile.decode(r.getString(0), r.getAs(1), config));
        }
        List<ModelInput> inputs = new ArrayList<>();
        batch.forEach(f -> inputs.add(f.input()));
        boolean allTasks = settings.tasks().equals(config.tasks().tasks())
                && !predictor.runtimeReport().streamed();
        // every pathway at once shares the backbone's prefix; a subset runs its pathways one by one
        Map<Task, Tensor> outputs = allTasks ? predictor.predictAllBatch(inputs).outputs() : null;
        for (Task t : settings.tasks()) {
            Tensor all = allTasks ? outputs.get(t) : predictor.predictBatch(inputs, t);
            for (int i = 0; i < batch.size(); i++) {
                InputFile f = batch.get(i);
                ready.add(new Tuple2<>(
                        settings.format().relativePath(t, f.name()),
                        settings.format().encode(t, row(all, i), f)));
            }
        }
    }

    /** Row {@code i} of an (N, C, H, W) output as (1, C, H, W). */
    private static Tensor row(Tensor all, int i) {
        long[] s = all.shape();
        int per = (int) (s[1] * s[2] * s[3]);
        float[] one = new float[per];
        System.arraycopy(all.floats(), i * per, one, 0, per);
        return Tensor.of(new long[] {1, s[1], s[2], s[3]}, one);
    }
}
