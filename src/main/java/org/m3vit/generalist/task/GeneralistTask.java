package org.m3vit.generalist.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.task.TaskSpec;
import org.m3vit.task.TaskSpecs;

/**
 * A task of the generalist: a {@link TaskSpec} of the similarity kind. Inputs and candidate targets go
 * through the same encoder and the logits are their cosine similarities at the task's learned temperature
 * (Uni-Perceiver). Each task says how it draws a batch from the corpus, its loss, its metrics and their
 * chance levels, so nothing else switches on the task. Registered in
 * {@code META-INF/services/org.m3vit.task.TaskSpec} like the dense tasks; {@link #all()} lists them in
 * registry order, which is also their task id (task-level routing's label, the temperature's index).
 */
public interface GeneralistTask extends TaskSpec {

    /** Every registered generalist task, in registry order. */
    static List<GeneralistTask> all() {
        List<GeneralistTask> out = new ArrayList<>();
        for (TaskSpec s : TaskSpecs.all()) {
            if (s instanceof GeneralistTask g) {
                out.add(g);
            }
        }
        return out;
    }

    static Optional<GeneralistTask> find(String id) {
        return TaskSpecs.find(id).filter(GeneralistTask.class::isInstance).map(GeneralistTask.class::cast);
    }

    static GeneralistTask get(String id) {
        return TaskSpecs.get(id, GeneralistTask.class);
    }

    static List<String> ids() {
        return all().stream().map(GeneralistTask::id).toList();
    }

    /** This task's id number: its position in {@link #all()}. */
    default int index() {
        return ids().indexOf(id());
    }

    /** Loss weight when the config gives none (the reference's, where it has the task). */
    float defaultLossWeight();

    /** How many items of {@code split} this task draws from. */
    int size(MultimodalCorpus corpus, MultimodalCorpus.Split split);

    /** The host-side batch of items {@code items} of {@code split}; {@code rng} draws anything random (masks). */
    TaskBatch batch(
            MultimodalCorpus corpus,
            SubwordTokenizer tokenizer,
            MultimodalCorpus.Split split,
            int[] items,
            SplittableRandom rng);

    /** The (unweighted) loss of a batch and the MoE balancing loss of its encoder calls. */
    TaskLoss loss(TaskContext ctx, TaskBatch batch, boolean training);

    /** This task's metrics on the first {@code limit} items of {@code split} (no parameter is updated). */
    Map<String, Double> evaluate(TaskContext ctx, MultimodalCorpus.Split split, int limit);

    /** The same metrics of a predictor that knows nothing of the input (what "above chance" means). */
    Map<String, Double> chance(MultimodalCorpus corpus, MultimodalCorpus.Split split, int limit);

    /** A classification task's class names in the corpus (its targets), or empty for other tasks. */
    default List<String> classes(MultimodalCorpus corpus) {
        return List.of();
    }

    /** A classification task's label of every item of {@code split}; other tasks have none. */
    default int[] labels(MultimodalCorpus corpus, MultimodalCorpus.Split split) {
        throw new UnsupportedOperationException(id() + " has no class labels");
    }

    /**
     * A classification task's logits (items × classes) of {@code items} of {@code split} against all its
     * class names, without updating anything.
     */
    default float[][] classLogits(TaskContext ctx, MultimodalCorpus.Split split, int[] items) {
        throw new UnsupportedOperationException(id() + " does not classify");
    }

    /** The items {@link #evaluate} uses: the first {@code limit} of the split. */
    static int[] firstItems(int size, int limit) {
        int n = Math.min(size, limit);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
