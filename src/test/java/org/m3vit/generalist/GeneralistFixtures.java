package org.m3vit.generalist;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.data.synth.MultimodalSynthesizer;
import org.m3vit.generalist.corpus.CorpusSynthesis;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.model.Reparameterisation;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.generalist.train.GeneralistTraining;

/** A small corpus and the tiny config, shared by the generalist tests. */
public final class GeneralistFixtures {

    public static final Path TINY = Path.of("configs/generalist/tiny.yml");

    private GeneralistFixtures() {}

    /** Writes a corpus of {@code images} captioned images (and texts) and {@code videos} clips into {@code dir}. */
    public static Path corpus(Path dir, int images, int videos, long seed) throws IOException {
        CorpusSynthesis.run(new MultimodalSynthesizer.Options(images, videos, 4, 32, 32, seed, 0.25, 2), dir, i -> {});
        return dir;
    }

    /** The tiny config with dotted overrides (pairs of key, value). */
    public static GeneralistConfig tiny(Object... overrides) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            o.put((String) overrides[i], overrides[i + 1]);
        }
        return GeneralistConfig.load(TINY, o);
    }

    /** A freshly initialised model of {@code config}, its corpus and a task context, for forward tests. */
    public record Setup(
            GeneralistConfig config,
            SubwordTokenizer tokenizer,
            MultimodalCorpus corpus,
            GeneralistModel model,
            ParameterStore ps,
            TaskContext context)
            implements AutoCloseable {
        @Override
        public void close() {
            tokenizer.close();
        }

        /** The same model's encoder with merged experts (null when the routing cannot be merged). */
        public SequenceEncoder merged(NDManager manager) {
            Reparameterisation r = Reparameterisation.of(model, manager);
            return r == null ? null : new SequenceEncoder(model, ps, tokenizer.speId(), tokenizer.padId(), r);
        }
    }

    public static Setup setup(GeneralistConfig config, Path data, NDManager manager) throws IOException {
        SubwordTokenizer tokenizer = SubwordTokenizer.load(MultimodalCorpus.tokenizerFile(data));
        MultimodalCorpus corpus =
                MultimodalCorpus.open(data, tokenizer, config.model().textLength());
        GeneralistModel model = GeneralistTraining.newModel(config, tokenizer, manager);
        ParameterStore ps = new ParameterStore(manager, false);
        TaskContext ctx = new TaskContext(
                new SequenceEncoder(model, ps, tokenizer.speId(), tokenizer.padId(), null), manager, tokenizer, corpus);
        return new Setup(config, tokenizer, corpus, model, ps, ctx);
    }

    /** Task id of {@code id}. */
    public static int task(String id) {
        return GeneralistTask.get(id).index();
    }
}
