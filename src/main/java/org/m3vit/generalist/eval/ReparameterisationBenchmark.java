package org.m3vit.generalist.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.GeneralistArtifact;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.model.Reparameterisation;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.task.GeneralistTask;

/**
 * {@code m3vit generalist reparam}: for each kind of sequence (images, clips, texts, caption sequences),
 * the encoder's output with routed experts and with merged ones — their largest absolute difference — and
 * the time of a forward each way (median of the repeats, after one warm-up forward each; the merged
 * weights are computed at load, so the merge is not timed).
 */
public final class ReparameterisationBenchmark {

    private ReparameterisationBenchmark() {}

    /** One kind of sequence: tokens per sequence, the median forward time each way, max |merged − routed|. */
    public record Row(String sequence, int tokens, double routedMs, double mergedMs, double maxDifference) {}

    public static List<Row> run(Path weights, Path data, int batch, int repeats) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(weights, manager)) {
            GeneralistModel model = loaded.model();
            MultimodalCorpus corpus = MultimodalCorpus.open(
                    data, loaded.tokenizer(), loaded.config().model().textLength());
            Reparameterisation merged = Reparameterisation.of(model, manager);
            if (merged == null) {
                throw InvalidInputException.file(
                        weights,
                        "has nothing to merge: its routing (" + model.config() + ") depends on the tokens, it has"
                                + " no MoE, or its experts are FFNs");
            }
            ParameterStore ps = new ParameterStore(manager, false);
            int spe = loaded.tokenizer().speId();
            int pad = loaded.tokenizer().padId();
            SequenceEncoder routed = new SequenceEncoder(model, ps, spe, pad, null);
            SequenceEncoder fast = new SequenceEncoder(model, ps, spe, pad, merged);
            MultimodalCorpus.Split split = MultimodalCorpus.Split.VAL;
            int nImages = Math.min(batch, corpus.images(split).size());
            int nVideos = Math.min(batch, corpus.videos(split).size());
            int nTexts = Math.min(batch, corpus.texts(split).size());
            int imageTask = GeneralistTask.get("image_cls").index();
            int videoTask = GeneralistTask.get("video_cls").index();
            int textTask = GeneralistTask.get("text_cls").index();
            int captionTask = GeneralistTask.get("caption").index();
            List<Row> rows = new ArrayList<>();
            int h = corpus.height();
            int w = corpus.width();
            rows.add(measure("image", repeats, routed, fast, (e) -> {
                float[] px = new float[nImages * 3 * h * w];
                for (int i = 0; i < nImages; i++) {
                    float[] p = corpus.images(split).get(i).pixels();
                    System.arraycopy(p, 0, px, i * p.length, p.length);
                }
                NDArray x = manager.create(px, new Shape(nImages, 3, h, w));
                return e.visual(x, GeneralistModel.INPUT, Attributes.VISUAL_INPUT, imageTask, false);
            }));
            if (nVideos > 0) {
                int f = corpus.frames();
                rows.add(measure("video", repeats, routed, fast, (e) -> {
                    float[] px = new float[nVideos * f * 3 * h * w];
                    for (int i = 0; i < nVideos; i++) {
                        float[] p = corpus.videos(split).get(i).pixels();
                        System.arraycopy(p, 0, px, i * p.length, p.length);
                    }
                    return e.visual(
                            manager.create(px, new Shape(nVideos, f, 3, h, w)),
                            GeneralistModel.INPUT,
                            Attributes.VISUAL_INPUT,
                            videoTask,
                            false);
                }));
            }
            List<int[]> texts = new ArrayList<>();
            for (int i = 0; i < nTexts; i++) {
                texts.add(corpus.texts(split).get(i).tokens());
            }
            rows.add(measure(
                    "text",
                    repeats,
                    routed,
                    fast,
                    (e) -> e.text(manager, texts, GeneralistModel.INPUT, Attributes.TEXT_INPUT, textTask, false)));
            int[] queries = new int[model.config().textLength() + 1];
            for (int q = 0; q < queries.length; q++) {
                queries[q] = q;
            }
            rows.add(measure("caption", repeats, routed, fast, (e) -> {
                float[] px = new float[nImages * 3 * h * w];
                List<int[]> words = new ArrayList<>();
                for (int i = 0; i < nImages; i++) {
                    MultimodalCorpus.Image im = corpus.images(split).get(i);
                    System.arraycopy(im.pixels(), 0, px, i * im.pixels().length, im.pixels().length);
                    words.add(im.tokens());
                }
                return e.caption(
                        manager, manager.create(px, new Shape(nImages, 3, h, w)), words, queries, captionTask, false);
            }));
            return rows;
        }
    }

    private static Row measure(
            String name,
            int repeats,
            SequenceEncoder routed,
            SequenceEncoder merged,
            Function<SequenceEncoder, GeneralistModel.Encoded> forward) {
        double diff;
        int tokens;
        try (NDScope scope = new NDScope()) {
            NDArray a = forward.apply(routed).hidden();
            NDArray b = forward.apply(merged).hidden(); // also the warm-up of both paths
            diff = a.sub(b).abs().max().getFloat();
            tokens = Math.toIntExact(a.getShape().get(1));
        }
        return new Row(name, tokens, median(repeats, routed, forward), median(repeats, merged, forward), diff);
    }

    private static double median(int repeats, SequenceEncoder e, Function<SequenceEncoder, GeneralistModel.Encoded> f) {
        double[] ms = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            try (NDScope scope = new NDScope()) {
                long t0 = System.nanoTime();
                f.apply(e).hidden().toFloatArray(); // waits for the result
                ms[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[repeats / 2];
    }
}
