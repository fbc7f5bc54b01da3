package org.m3vit.generalist.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.generalist.GeneralistArtifact;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Reparameterisation;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskContext;

/**
 * {@code m3vit generalist eval}: a generalist artifact on a corpus split, every task it was trained on,
 * with each metric's chance level beside it. With content-independent routing the experts are merged
 * once per (layer, condition) at load ({@link Reparameterisation}) unless {@code merged} is off.
 */
public final class GeneralistEvaluation {

    private GeneralistEvaluation() {}

    /**
     * @param metrics task id → metric → value
     * @param chance task id → metric → the value of a predictor that ignores its input
     * @param seconds wall time of the evaluation (after loading)
     * @param merged whether merged experts were used
     */
    public record Result(
            String model,
            String split,
            int limit,
            Map<String, Map<String, Double>> metrics,
            Map<String, Map<String, Double>> chance,
            double seconds,
            boolean merged) {}

    public static Result run(Path weights, Path data, MultimodalCorpus.Split split, int limit, boolean merge)
            throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(weights, manager)) {
            MultimodalCorpus corpus = MultimodalCorpus.open(
                    data, loaded.tokenizer(), loaded.config().model().textLength());
            var m = loaded.config().model();
            corpus.checkFits(m.imageHeight(), m.imageWidth(), m.frames());
            ParameterStore ps = new ParameterStore(manager, false);
            Reparameterisation merged = merge ? Reparameterisation.of(loaded.model(), manager) : null;
            TaskContext ctx = new TaskContext(
                    new SequenceEncoder(
                            loaded.model(),
                            ps,
                            loaded.tokenizer().speId(),
                            loaded.tokenizer().padId(),
                            merged),
                    manager,
                    loaded.tokenizer(),
                    corpus);
            long start = System.nanoTime();
            Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
            Map<String, Map<String, Double>> chance = new LinkedHashMap<>();
            List<String> ids = loaded.config().taskIds();
            for (String id : ids) {
                GeneralistTask task = GeneralistTask.get(id);
                metrics.put(id, task.evaluate(ctx, split, limit));
                chance.put(id, task.chance(corpus, split, limit));
            }
            return new Result(
                    m.toString(),
                    split.id(),
                    limit,
                    metrics,
                    chance,
                    (System.nanoTime() - start) / 1e9,
                    merged != null);
        }
    }
}
