package org.m3vit.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.Augmentation;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.data.Sample;
import org.m3vit.data.SampleBatch;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictions;
import org.m3vit.infer.Predictor;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/**
 * Runs a model over a split and scores it the reference way: each batch goes through every task pathway
 * ({@link Predictor#predictAllBatch}, eval mode, no autograd), each image's head outputs are turned into
 * the saved prediction form at the image's original size (the task's
 * {@link org.m3vit.task.DenseTaskSpec#decode}) and scored against the reader's raw ground truth
 * ({@link TaskScorer}). Expert token counts are summed per task and MoE
 * layer. The validation transform (resize + normalise) comes from {@link Augmentation#val}; the next batch
 * is read on a loader thread while the current one runs.
 */
public final class SplitEvaluator {

    /** Receives every saved prediction (e.g. to write the results directory); may be null. */
    public interface PredictionSink {
        void accept(String id, SavedPrediction prediction) throws IOException;
    }

    private record Loaded(List<RawSample> raw, SampleBatch batch) {}

    /** Metrics only: task → metric → value. */
    public Map<Task, Map<String, Double>> evaluate(
            Predictor predictor, MultiTaskReader reader, int batchSize, Consumer<String> progress) throws IOException {
        return run(predictor, reader, batchSize, progress, null).metrics();
    }

    /** Metrics, Δm and expert usage; every prediction is also handed to {@code sink} if it is not null. */
    public EvaluationResult run(
            Predictor predictor, MultiTaskReader reader, int batchSize, Consumer<String> progress, PredictionSink sink)
            throws IOException {
        return runRange(predictor, reader, 0, reader.size(), batchSize, progress, sink)
                .result();
    }

    /**
     * Scores images {@code from} (inclusive) to {@code to} (exclusive) of the split, in batches of
     * {@code batchSize} starting at {@code from}. The parts of a split scored this way {@link
     * PartialEvaluation#merge merge} into what {@link #run} gives for the whole; when every part starts at a
     * multiple of {@code batchSize}, each forward pass sees exactly the batch it sees in {@link #run}.
     */
    public PartialEvaluation runRange(
            Predictor predictor,
            MultiTaskReader reader,
            int from,
            int to,
            int batchSize,
            Consumer<String> progress,
            PredictionSink sink)
            throws IOException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (from < 0 || to > reader.size() || from > to) {
            throw new IllegalArgumentException(
                    "image range [" + from + ", " + to + ") is not within the split's " + reader.size() + " images");
        }
        ModelConfig config = predictor.config();
        if (reader.layout() != config.tasks().dataset()) {
            throw new IllegalArgumentException("the model was configured for "
                    + config.tasks().dataset() + " but the data is laid out as " + reader.layout());
        }
        List<Task> tasks = new ArrayList<>();
        for (Task t : config.tasks().tasks()) {
            if (!reader.tasks().contains(t)) {
                throw new IllegalArgumentException("the reader does not deliver " + t.id() + " ground truth");
            }
            tasks.add(t);
        }
        PartialEvaluation part = new PartialEvaluation(reader.layout(), tasks);
        Augmentation val = Augmentation.val(reader.layout(), config.imgHeight(), config.imgWidth());
        int n = to - from;
        ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "m3vit-eval-loader");
            th.setDaemon(true);
            return th;
        });
        try {
            Future<Loaded> next =
                    n == 0 ? null : loader.submit(() -> load(reader, val, from, Math.min(to, from + batchSize)));
            for (int start = from; start < to; start += batchSize) {
                Loaded cur = get(next);
                int following = start + batchSize;
                if (following < to) {
                    next = loader.submit(() -> load(reader, val, following, Math.min(to, following + batchSize)));
                }
                Map<Task, float[]> outputs = forward(predictor, cur.batch(), part.usage());
                score(config, tasks, cur, outputs, part.scorers(), sink);
                progress.accept("eval " + (Math.min(to, start + batchSize) - from) + "/" + n);
            }
        } finally {
            loader.shutdownNow();
        }
        return part;
    }

    private static Loaded load(MultiTaskReader reader, Augmentation val, int from, int to) throws IOException {
        List<RawSample> raw = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        for (int i = from; i < to; i++) {
            RawSample r = reader.read(i);
            raw.add(r);
            samples.add(val.apply(r, (Augmentation.Draw) null));
        }
        // no targets in the batch: the metrics use the raw, original-size ground truth
        return new Loaded(raw, new SampleBatch(samples, List.of()));
    }

    private static Loaded get(Future<Loaded> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading validation data", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c);
        }
    }

    /** One batch through all pathways; returns each task's (B, C, h, w) output as floats. */
    private static Map<Task, float[]> forward(
            Predictor predictor, SampleBatch batch, Map<Task, ? extends Map<Integer, long[]>> usage) {
        List<ModelInput> inputs = new ArrayList<>();
        for (Sample s : batch.samples()) {
            inputs.add(ModelInput.normalised(s.image(), 3, s.height(), s.width()));
        }
        Predictions out = predictor.predictAllBatch(inputs);
        Map<Task, float[]> outputs = new EnumMap<>(Task.class);
        out.outputs().forEach((t, p) -> outputs.put(t, p.floats()));
        out.expertCounts().forEach((t, layers) -> addCounts(usage.get(t), layers));
        return outputs;
    }

    private static void addCounts(Map<Integer, long[]> into, Map<Integer, long[]> layers) {
        if (into == null) {
            return;
        }
        layers.forEach((layer, c) -> {
            long[] sum = into.computeIfAbsent(layer, k -> new long[c.length]);
            for (int i = 0; i < c.length; i++) {
                sum[i] += c[i];
            }
        });
    }

    private static void score(
            ModelConfig config,
            List<Task> tasks,
            Loaded cur,
            Map<Task, float[]> outputs,
            Map<Task, TaskScorer> scorers,
            PredictionSink sink)
            throws IOException {
        int h = config.imgHeight();
        int w = config.imgWidth();
        for (Task t : tasks) {
            int channels = config.tasks().channels(t);
            int per = channels * h * w;
            float[] all = outputs.get(t);
            for (int i = 0; i < cur.raw().size(); i++) {
                RawSample raw = cur.raw().get(i);
                float[] gt = raw.target(t);
                if (t.spec().skips(gt)) {
                    continue;
                }
                float[] one = new float[per];
                System.arraycopy(all, i * per, one, 0, per);
                SavedPrediction p = t.spec().decode(new HeadOutput(one, channels, h, w), raw.height(), raw.width());
                scorers.get(t).add(p, gt);
                if (sink != null) {
                    sink.accept(raw.id(), p);
                }
            }
        }
    }
}
