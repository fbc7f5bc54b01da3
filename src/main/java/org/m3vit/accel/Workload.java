package org.m3vit.accel;

import java.util.ArrayList;
import java.util.List;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.model.FlopCounter;
import org.m3vit.task.Task;

/**
 * One image through one task's pathway, as a list of layers: patch embedding, every block, the task's head.
 * The shapes come from {@link FlopCounter}'s op walk, so the simulator and {@code m3vit flops} count the
 * same work; the MoE blocks add this image's queue lengths.
 *
 * @param tokens L, the tokens per image (cls included); every token is routed
 * @param topK experts per token
 * @param experts E, experts per MoE layer
 */
public record Workload(List<Layer> layers, int tokens, int topK, int experts, ExpertShape expert) {

    public Workload {
        layers = List.copyOf(layers);
        for (Layer l : layers) {
            if (l.isMoe()) {
                checkQueues(l.name(), l.queueLengths(), experts, topK, tokens);
            }
        }
    }

    /**
     * The pathway of {@code task} under {@code config}, with {@code queueLengths[m][e]} tokens in expert e's
     * queue in the m-th MoE block (blocks in config order).
     */
    public static Workload of(ModelConfig config, Task task, int[][] queueLengths) {
        requireMoe(config);
        requireTask(config, task);
        if (queueLengths.length != config.moeLayers().size()) {
            throw InvalidInputException.field(
                    "queue_lengths",
                    "has " + queueLengths.length + " MoE layers, but the config has "
                            + config.moeLayers().size() + " " + config.moeLayers());
        }
        FlopCounter f = new FlopCounter(config);
        long l = f.tokens();
        long d = config.embedDim();
        // A backbone op keeps the residual stream and the block output it adds into, besides its own input and
        // output; an expert also keeps LN2's output, from which its queue's tokens are gathered.
        long blockHeld = 2 * l * d;
        long expertHeld = 3 * l * d;

        List<Layer> layers = new ArrayList<>();
        FlopCounter.Op patch = f.patchEmbedOps().get(0);
        layers.add(new Layer(
                "patch_embed",
                true,
                List.of(new Step(
                        patch.name(),
                        patch.params(),
                        patch.macs(),
                        patch.valuesIn(),
                        patch.valuesOut(),
                        patch.valuesOut(),
                        true,
                        false)),
                null));
        int moe = 0;
        for (int i = 0; i < config.depth(); i++) {
            List<Step> steps = new ArrayList<>();
            if (i == config.firstMoeBlock()) {
                f.taskEmbeddingOps().forEach(op -> steps.add(Step.of(op, 0)));
            }
            f.blockOps(i).forEach(op -> steps.add(Step.of(op, blockHeld)));
            int[] q = config.isMoeBlock(i) ? queueLengths[moe++] : null;
            layers.add(new Layer("block" + i, true, steps, q));
        }
        List<FlopCounter.Op> head = f.headOps(task);
        List<Step> headSteps = new ArrayList<>();
        for (int j = 0; j < head.size(); j++) {
            FlopCounter.Op op = head.get(j);
            boolean last = j == head.size() - 1;
            headSteps.add(
                    last
                            ? new Step(
                                    op.name(),
                                    op.params(),
                                    op.macs(),
                                    op.valuesIn(),
                                    op.valuesOut(),
                                    op.valuesIn(),
                                    false,
                                    true)
                            : Step.of(op, 0));
        }
        layers.add(new Layer("head", false, headSteps, null));

        // The expert buffers are sized for the worst case: a queue holding every token.
        List<FlopCounter.Op> one = f.expertOps(1);
        List<FlopCounter.Op> full = f.expertOps(l);
        ExpertShape shape = new ExpertShape(
                perToken(one.get(0), full.get(0), expertHeld), perToken(one.get(1), full.get(1), expertHeld));
        return new Workload(layers, (int) l, config.moeTopK(), config.moeExperts(), shape);
    }

    public static void requireMoe(ModelConfig config) {
        if (!config.isMoe()) {
            throw InvalidInputException.key(
                    "backbone",
                    "the accelerator model schedules MoE experts, but this"
                            + " config is a dense ViT (no backbone_kwargs.moe_layers); use a VisionTransformer_moe config");
        }
    }

    public static void requireTask(ModelConfig config, Task task) {
        if (!config.tasks().contains(task)) {
            throw InvalidInputException.field(
                    "task",
                    "'" + task.id() + "' is not a task of this config; it has "
                            + config.tasks().ids());
        }
    }

    /** The task named {@code name} among the config's tasks; a bad name is an error naming the field. */
    public static Task task(ModelConfig config, String name) {
        Task t;
        try {
            t = Task.parse(name);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.field(
                    "task",
                    "unknown task '" + name + "'; this config has "
                            + config.tasks().ids());
        }
        requireTask(config, t);
        return t;
    }

    /** Queue lengths a gate can produce: E entries, each at most L (k distinct experts per token), summing to k·L. */
    static void checkQueues(String where, int[] q, int experts, int topK, int tokens) {
        if (q.length != experts) {
            throw InvalidInputException.field(
                    "queue_lengths", where + " has " + q.length + " experts, expected " + experts);
        }
        long sum = 0;
        for (int n : q) {
            if (n < 0 || n > tokens) {
                throw InvalidInputException.field(
                        "queue_lengths", where + ": a queue length of " + n + " is outside 0.." + tokens);
            }
            sum += n;
        }
        if (sum != (long) topK * tokens) {
            throw InvalidInputException.field(
                    "queue_lengths",
                    where + ": lengths sum to " + sum + ", expected top_k" + " × tokens = " + (long) topK * tokens);
        }
    }

    private static Step perToken(FlopCounter.Op one, FlopCounter.Op full, long held) {
        return new Step(
                one.name(),
                one.params(),
                one.macs(),
                one.valuesIn(),
                one.valuesOut(),
                held + full.valuesIn() + full.valuesOut(),
                false,
                false);
    }
}
