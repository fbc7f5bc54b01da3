package org.m3vit.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/**
 * A multi-task split as a DJL {@link RandomAccessDataset}: reads a sample with a {@link MultiTaskReader}
 * and augments it with an {@link Augmentation}. Sample i of epoch e uses its own random stream seeded by
 * (seed, e, i), so results do not depend on loading order or thread count.
 *
 * <p>Two ways to iterate:
 * <ul>
 *   <li>the plain-Java path, {@link #sample(long, int)} and {@link PrefetchLoader}, which loads and augments
 *       on worker threads and only turns a whole batch into NDArrays on the consumer thread
 *       ({@link SampleBatch#toNDList}); this is what the trainer should use;</li>
 *   <li>DJL's {@link #getData(NDManager)} with the usual sampler/batchifier (records are built by
 *       {@link #get(NDManager, long)} for the epoch set with {@link #setEpoch}).</li>
 * </ul>
 * A record's data is [image (3, H, W) float32]; its labels are one array per task in {@link #taskOrder()}:
 * semseg/human_parts (H, W) int64, sal/edge/depth (1, H, W) float32, normals (3, H, W) float32.
 */
public final class MultiTaskDataset extends RandomAccessDataset {

    private final MultiTaskReader reader;
    private final Augmentation augmentation;
    private final long seed;
    private volatile int epoch;
    // Decoded samples, up to cacheBudget bytes: a sample decodes to the same arrays every epoch, and the
    // augmentation only ever reads them (it writes new arrays), so one copy serves every epoch.
    private final long cacheBudget;
    private final ConcurrentHashMap<Integer, RawSample> cache = new ConcurrentHashMap<>();
    private final AtomicLong cachedBytes = new AtomicLong();

    private MultiTaskDataset(Builder b) {
        super(b);
        this.reader = b.reader;
        this.augmentation = b.augmentation;
        this.seed = b.seed;
        this.cacheBudget = b.cacheBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    public MultiTaskReader reader() {
        return reader;
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    public long seed() {
        return seed;
    }

    public DatasetLayout layout() {
        return reader.layout();
    }

    /** Tasks delivered, in the order of the record labels and batch targets. */
    public List<Task> taskOrder() {
        return SampleBatch.order(reader.tasks());
    }

    public Set<Task> tasks() {
        return reader.tasks();
    }

    public int classes(Task task) {
        return reader.classes(task);
    }

    /** Sets the epoch used by {@link #get(NDManager, long)} (the DJL path). */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Reads (or takes from the cache) and augments sample {@code index} for {@code epoch}; thread-safe. */
    public Sample sample(long index, int epoch) throws IOException {
        RawSample raw = raw(Math.toIntExact(index));
        return augmentation.apply(raw, new SplittableRandom(sampleSeed(seed, epoch, index)));
    }

    /** Bytes of decoded samples held in memory (at most the builder's cache budget). */
    public long cachedBytes() {
        return cachedBytes.get();
    }

    private RawSample raw(int index) throws IOException {
        RawSample cached = cache.get(index);
        if (cached != null) {
            return cached;
        }
        RawSample read = reader.read(index);
        long size = read.bytes();
        // Reserve first, so that concurrent loader threads never take the cache past its budget together.
        if (cachedBytes.addAndGet(size) <= cacheBudget) {
            RawSample first = cache.putIfAbsent(index, read);
            if (first != null) { // another thread read it at the same time
                cachedBytes.addAndGet(-size);
                return first;
            }
        } else {
            cachedBytes.addAndGet(-size);
        }
        return read;
    }

    /** Seed of one sample's augmentation stream: a 64-bit mix of (seed, epoch, index). */
    public static long sampleSeed(long seed, long epoch, long index) {
        long z = seed;
        for (long v : new long[] {epoch, index}) {
            z = (z ^ v) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
        }
        return z;
    }

    @Override
    public Record get(NDManager manager, long index) throws IOException {
        Sample s = sample(index, epoch);
        NDList batch = new SampleBatch(List.of(s), taskOrder()).toNDList(manager);
        // Drop the batch axis; the views keep the storage alive, so the batch handles can be freed now.
        NDList data = new NDList();
        NDList labels = new NDList();
        for (int i = 0; i < batch.size(); i++) {
            NDArray b = batch.get(i);
            NDArray one = b.squeeze(0);
            one.setName(b.getName());
            b.close();
            (i == 0 ? data : labels).add(one);
        }
        return new Record(data, labels);
    }

    @Override
    protected long availableSize() {
        return reader.size();
    }

    @Override
    public void prepare(Progress progress) {
        // Files are checked when the reader is opened; nothing to download or index.
    }

    /** Builder: reader and augmentation are required; sampling as for any DJL dataset. */
    public static final class Builder extends BaseBuilder<Builder> {
        private MultiTaskReader reader;
        private Augmentation augmentation;
        private long seed;
        private long cacheBytes;

        public Builder setReader(MultiTaskReader reader) {
            this.reader = reader;
            return this;
        }

        public Builder setAugmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Keeps decoded samples in memory, up to {@code bytes} in all (the first ones read; default 0, none):
         * later epochs then skip decoding the files. Results do not change.
         */
        public Builder optCacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("the sample cache budget must be >= 0 bytes, got " + bytes);
            }
            this.cacheBytes = bytes;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        public MultiTaskDataset build() {
            if (reader == null || augmentation == null) {
                throw new IllegalArgumentException("MultiTaskDataset needs a reader and an augmentation");
            }
            if (sampler == null) {
                setSampling(1, false);
            }
            return new MultiTaskDataset(this);
        }
    }
}
