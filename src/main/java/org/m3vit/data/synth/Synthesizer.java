package org.m3vit.data.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.errors.Limits;
import org.m3vit.task.DatasetLayout;

/**
 * Generates a synthetic multi-task dataset: renders {@code n} scenes in parallel and writes them with
 * their ground truth into a dataset root in the NYUD_MT or PASCAL_MT layout. Image i depends only on
 * (seed, i), so the output is identical for any thread count or scheduling.
 */
public final class Synthesizer {

    /** What to generate. */
    public static final class Options {
        final DatasetLayout layout;
        final int count;
        final int height;
        final int width;
        final long seed;
        final double valFraction;
        final int threads;

        public Options(
                DatasetLayout layout, int count, int height, int width, long seed, double valFraction, int threads) {
            if (count < 1) {
                throw InvalidInputException.field("count", "must be >= 1 image, got " + count);
            }
            if (height < 8 || width < 8 || (long) height * width > 4096L * 4096L) {
                throw InvalidInputException.field(
                        "size", "must be between 8x8 and 4096x4096, got " + height + "x" + width);
            }
            if (!(valFraction >= 0 && valFraction < 1)) {
                throw InvalidInputException.field("valFraction", "must be in [0, 1), got " + valFraction);
            }
            Limits.checkThreads("threads", threads);
            this.layout = layout;
            this.count = count;
            this.height = height;
            this.width = width;
            this.seed = seed;
            this.valFraction = valFraction;
            this.threads = threads;
        }
    }

    /** Ids of the generated train and val images. */
    public static final class Result {
        public final List<String> train;
        public final List<String> val;

        Result(List<String> train, List<String> val) {
            this.train = train;
            this.val = val;
        }
    }

    private Synthesizer() {}

    /** Image id of index i ({@code 000042}). */
    public static String id(int index) {
        return String.format("%06d", index);
    }

    /** Seed of image i: a 64-bit mix of (seed, i), so neighbouring indices get unrelated streams. */
    static long imageSeed(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xD1B54A32D192ED03L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Renders image {@code index} (exposed for tests). */
    static Scene scene(DatasetLayout layout, long seed, int index) {
        return SceneBuilder.build(layout, new SplittableRandom(imageSeed(seed, index)));
    }

    static Frame render(DatasetLayout layout, long seed, int index, int height, int width) {
        SplittableRandom rng = new SplittableRandom(imageSeed(seed, index));
        Scene scene = SceneBuilder.build(layout, rng);
        return RayCaster.render(scene, height, width, rng.split());
    }

    /**
     * Generates the dataset into {@code root} (which the caller has checked); {@code progress} receives the
     * number of images finished so far (from worker threads).
     */
    public static Result run(Options o, Path root, IntConsumer progress) throws IOException {
        SceneWriter writer = o.layout == DatasetLayout.NYUD ? new NyudWriter() : new PascalWriter();
        writer.prepare(root);
        AtomicInteger done = new AtomicInteger();
        int threads = Math.min(o.threads, o.count);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "m3vit-synth");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            AtomicInteger next = new AtomicInteger();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < o.count; i = next.getAndIncrement()) {
                        SplittableRandom rng = new SplittableRandom(imageSeed(o.seed, i));
                        Scene scene = SceneBuilder.build(o.layout, rng);
                        Frame frame = RayCaster.render(scene, o.height, o.width, rng.split());
                        try {
                            writer.write(root, id(i), scene, frame);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        progress.accept(done.incrementAndGet());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("synthesis interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException) {
                throw ((UncheckedIOException) c).getCause();
            }
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new IOException(c);
        } finally {
            pool.shutdownNow();
        }
        Result split = split(o.count, o.valFraction, o.seed);
        writer.finish(root, split.train, split.val);
        return split;
    }

    /** Deterministic split: a seeded shuffle picks round(F·n) ids for val; both lists are sorted. */
    static Result split(int count, double valFraction, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(imageSeed(seed, -1)));
        int nVal = (int) Math.round(valFraction * count);
        List<Integer> val = new ArrayList<>(order.subList(0, nVal));
        List<Integer> train = new ArrayList<>(order.subList(nVal, count));
        Collections.sort(val);
        Collections.sort(train);
        List<String> t = new ArrayList<>();
        List<String> v = new ArrayList<>();
        train.forEach(i -> t.add(id(i)));
        val.forEach(i -> v.add(id(i)));
        return new Result(t, v);
    }
}
