package org.m3vit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

class DatasetTest {

    @TempDir
    static Path tmp;

    static Path root;

    @BeforeAll
    static void generate() throws Exception {
        root = tmp.resolve("PASCAL_MT");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 7, 24, 28, 5, 0, 2), root, i -> {});
    }

    private static MultiTaskDataset dataset(long seed) throws Exception {
        return MultiTaskDataset.builder()
                .setReader(MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN))
                .setAugmentation(Augmentation.train(DatasetLayout.PASCAL, 16, 20))
                .optSeed(seed)
                .setSampling(3, false)
                .build();
    }

    private static List<SampleBatch> epoch(MultiTaskDataset ds, int epoch, int workers) {
        List<SampleBatch> out = new ArrayList<>();
        try (PrefetchLoader loader = new PrefetchLoader(ds, epoch, 3, true, false, workers, 2)) {
            assertEquals(3, loader.batchCount());
            for (SampleBatch b : loader) {
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void prefetchIsDeterministicForAnyWorkerCountAndCoversTheEpoch() throws Exception {
        MultiTaskDataset ds = dataset(42);
        List<SampleBatch> one = epoch(ds, 3, 1);
        List<SampleBatch> two = epoch(ds, 3, 2);
        assertEquals(
                List.of(3, 3, 1),
                List.of(one.get(0).size(), one.get(1).size(), one.get(2).size()));
        Set<String> seen = new TreeSet<>();
        for (int b = 0; b < one.size(); b++) {
            for (int k = 0; k < one.get(b).size(); k++) {
                Sample x = one.get(b).samples().get(k);
                Sample y = two.get(b).samples().get(k);
                assertEquals(x.id(), y.id());
                assertArrayEquals(x.image(), y.image());
                assertArrayEquals(x.targets().labels(Task.SEMSEG), y.targets().labels(Task.SEMSEG));
                assertArrayEquals(x.targets().values(Task.NORMALS), y.targets().values(Task.NORMALS));
                seen.add(x.id());
                // The batch holds exactly the dataset's sample for that index and epoch.
                int index = ds.reader().ids().indexOf(x.id());
                assertArrayEquals(ds.sample(index, 3).image(), x.image());
            }
        }
        assertEquals(7, seen.size(), "every image once per epoch");
        List<SampleBatch> other = epoch(ds, 4, 2);
        assertNotEquals(ids(one), ids(other), "another epoch has another order");
    }

    /**
     * With every decoded sample cached, three epochs on two loader threads give exactly the samples of a
     * dataset that reads every file each time (so nothing writes into the cached arrays); a budget below
     * one sample caches nothing, and a budget of two samples holds at most two.
     */
    @Test
    void theSampleCacheChangesNothingButWhatIsRead() throws Exception {
        MultiTaskDataset plain = dataset(9);
        MultiTaskDataset cached = cachedDataset(9, Long.MAX_VALUE);
        for (int e = 0; e < 3; e++) {
            List<SampleBatch> a = epoch(plain, e, 2);
            List<SampleBatch> b = epoch(cached, e, 2);
            assertEquals(ids(a), ids(b));
            for (int i = 0; i < a.size(); i++) {
                for (int k = 0; k < a.get(i).size(); k++) {
                    Sample x = a.get(i).samples().get(k);
                    Sample y = b.get(i).samples().get(k);
                    assertArrayEquals(x.image(), y.image(), "epoch " + e + " " + x.id());
                    for (Task t : plain.taskOrder()) {
                        String what = "epoch " + e + " " + x.id() + " " + t.id();
                        if (t.spec().isClassMap()) {
                            assertArrayEquals(x.targets().labels(t), y.targets().labels(t), what);
                        } else {
                            assertArrayEquals(x.targets().values(t), y.targets().values(t), what);
                        }
                    }
                }
            }
        }
        RawSample one = plain.reader().read(0);
        assertEquals(7 * one.bytes(), cached.cachedBytes(), "every sample cached once");

        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> MultiTaskDataset.builder().optCacheBytes(-1));
        assertTrue(bad.getMessage().contains("sample cache budget must be >= 0"), bad.getMessage());
        MultiTaskDataset none = cachedDataset(9, one.bytes() - 1);
        epoch(none, 0, 2);
        assertEquals(0, none.cachedBytes());
        MultiTaskDataset two = cachedDataset(9, 2 * one.bytes());
        epoch(two, 0, 2);
        epoch(two, 1, 2);
        assertEquals(2 * one.bytes(), two.cachedBytes());
    }

    private static MultiTaskDataset cachedDataset(long seed, long bytes) throws Exception {
        return MultiTaskDataset.builder()
                .setReader(MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN))
                .setAugmentation(Augmentation.train(DatasetLayout.PASCAL, 16, 20))
                .optSeed(seed)
                .optCacheBytes(bytes)
                .setSampling(3, false)
                .build();
    }

    private static List<String> ids(List<SampleBatch> batches) {
        List<String> out = new ArrayList<>();
        for (SampleBatch b : batches) {
            b.samples().forEach(s -> out.add(s.id()));
        }
        return out;
    }

    @Test
    void batchBecomesNdArraysOfTheDocumentedShapes() throws Exception {
        MultiTaskDataset ds = dataset(1);
        assertEquals(List.of(Task.SEMSEG, Task.HUMAN_PARTS, Task.SAL, Task.NORMALS, Task.EDGE), ds.taskOrder());
        SampleBatch batch = epoch(ds, 0, 2).get(0);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList list = batch.toNDList(m);
            assertEquals(6, list.size());
            assertEquals(new Shape(3, 3, 16, 20), list.get(0).getShape());
            assertEquals(DataType.FLOAT32, list.get(0).getDataType());
            assertEquals(new Shape(3, 16, 20), list.get("semseg").getShape());
            assertEquals(DataType.INT64, list.get("semseg").getDataType());
            assertEquals(new Shape(3, 16, 20), list.get("human_parts").getShape());
            assertEquals(new Shape(3, 1, 16, 20), list.get("sal").getShape());
            assertEquals(new Shape(3, 3, 16, 20), list.get("normals").getShape());
            assertEquals(new Shape(3, 1, 16, 20), list.get("edge").getShape());
            long[] semseg = list.get("semseg").toLongArray();
            int[] expected = batch.samples().get(0).targets().labels(Task.SEMSEG);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], semseg[i]);
                assertTrue(semseg[i] == 255 || (semseg[i] >= 0 && semseg[i] < 21));
            }
            float[] img = list.get(0).toFloatArray();
            assertArrayEquals(batch.samples().get(1).image(), Arrays.copyOfRange(img, 3 * 16 * 20, 6 * 16 * 20));
        }
    }

    @Test
    void djlDatasetPathYieldsRecordsAndBatches() throws Exception {
        MultiTaskDataset ds = dataset(1);
        ds.setEpoch(2);
        try (NDManager m = NDManager.newBaseManager()) {
            Record r = ds.get(m, 4);
            assertEquals(new Shape(3, 16, 20), r.getData().get(0).getShape());
            assertEquals(5, r.getLabels().size());
            assertArrayEquals(ds.sample(4, 2).image(), r.getData().get(0).toFloatArray());
            int batches = 0;
            for (Batch b : ds.getData(m)) {
                NDArray data = b.getData().get(0);
                assertEquals(3, data.getShape().get(1));
                assertEquals(16, data.getShape().get(2));
                batches++;
                b.close();
            }
            assertEquals(3, batches);
        }
    }

    @Test
    void loaderRethrowsReadErrorsNamingTheFile() throws Exception {
        Path copy = tmp.resolve("broken");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.NYUD, 2, 16, 16, 9, 0, 1), copy, i -> {});
        Path bad = copy.resolve("edge/000001.npy");
        Files.write(bad, new byte[] {1, 2, 3});
        MultiTaskDataset ds = MultiTaskDataset.builder()
                .setReader(MultiTaskReader.open(DatasetLayout.NYUD, copy, Split.TRAIN))
                .setAugmentation(Augmentation.val(DatasetLayout.NYUD, 16, 16))
                .build();
        try (PrefetchLoader loader = new PrefetchLoader(ds, 0, 1, false, false, 1, 1)) {
            Iterator<SampleBatch> it = loader.iterator();
            it.next();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::next);
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        }
    }

    /** Counts reads; otherwise a plain NYUD reader. */
    static final class CountingReader extends MultiTaskReader {
        final NyudReader inner;
        final AtomicInteger reads = new AtomicInteger();

        CountingReader(Path root) throws IOException {
            super(root, Split.TRAIN, DatasetLayout.NYUD.tasks(), root.resolve("gt_sets/train.txt"));
            inner = new NyudReader(root, Split.TRAIN, DatasetLayout.NYUD.tasks());
        }

        @Override
        public DatasetLayout layout() {
            return DatasetLayout.NYUD;
        }

        @Override
        protected List<Path> requiredFiles(String id) {
            return List.of();
        }

        @Override
        public RawSample read(int index) throws IOException {
            RawSample r = inner.read(index);
            reads.incrementAndGet();
            return r;
        }
    }

    @Test
    void loaderWorksAheadWhileTheConsumerIsBusy() throws Exception {
        Path n = tmp.resolve("overlap");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.NYUD, 12, 16, 16, 3, 0, 2), n, i -> {});
        CountingReader reader = new CountingReader(n);
        MultiTaskDataset ds = MultiTaskDataset.builder()
                .setReader(reader)
                .setAugmentation(Augmentation.train(DatasetLayout.NYUD, 16, 16))
                .build();
        try (PrefetchLoader loader = new PrefetchLoader(ds, 0, 2, true, false, 2, 3)) {
            Iterator<SampleBatch> it = loader.iterator();
            it.next();
            // While the "training step" runs, the workers fill the queue: 3 batches in flight after the first.
            long deadline = System.currentTimeMillis() + 10_000;
            while (reader.reads.get() < 8 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
            assertEquals(8, reader.reads.get(), "batch 0 plus 3 batches of 2 loaded ahead, and no more (bounded)");
            int batches = 1;
            while (it.hasNext()) {
                it.next();
                batches++;
            }
            assertEquals(6, batches);
            assertEquals(12, reader.reads.get());
        }
    }
}
