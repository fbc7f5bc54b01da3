package org.m3vit.generalist.evidence;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.Segment;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskBatch;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.moe.RoutingDecision;

/**
 * Expert-activation maps (Uni-Perceiver-MoE figures 1–2): which share of the tokens each expert receives in
 * each MoE block, per condition (the task that issued the encoder call, the segment's attribute row, or its
 * modality), for the attention MoE and the FFN MoE separately. Counted over every encoder call (inputs and
 * targets) of each task's loss on val batches, in evaluation mode (no gate noise), routed (not merged);
 * a token chosen by top-k counts once per slot, so the shares of a (block, condition) row sum to 1. Text
 * padding is left out.
 */
public final class ExpertActivation {

    private ExpertActivation() {}

    public enum Condition {
        TASK,
        ATTRIBUTE,
        MODALITY;

        public static Condition parse(String s, String where) {
            for (Condition c : values()) {
                if (c.name().equalsIgnoreCase(s)) {
                    return c;
                }
            }
            throw InvalidInputException.field(where, "expected task, attribute or modality, got '" + s + "'");
        }
    }

    /**
     * @param shares group (attn, mlp) → "block b · condition" → each expert's share of that row's tokens
     * @param tokens the same rows' counted (token, slot) assignments
     */
    public record Result(
            Condition condition,
            int experts,
            Map<String, Map<String, double[]>> shares,
            Map<String, Map<String, Long>> tokens) {}

    /** The reference table's rows by name. */
    static final Map<String, String> ATTRIBUTE_NAMES = Map.of(
            Attributes.key(Attributes.VISUAL_INPUT), "visual input",
            Attributes.key(Attributes.TEXT_INPUT), "text input",
            Attributes.key(Attributes.CAPTION_IMAGE), "caption image",
            Attributes.key(Attributes.CAPTION_TEXT), "caption text",
            Attributes.key(Attributes.VISUAL_TASK_TEXT_TARGET), "text target (visual task)",
            Attributes.key(Attributes.TEXT_TASK_TARGET), "text target (text task)");

    /**
     * @param batches val batches per task
     * @param batch items per batch
     */
    public static Result run(
            TaskContext ctx, List<String> taskIds, Condition condition, int batches, int batch, long seed) {
        List<GeneralistTask> tasks = taskIds.stream().map(GeneralistTask::get).toList();
        List<String> names = GeneralistTask.ids();
        // group → block → condition → counts
        Map<String, TreeMap<Integer, Map<String, long[]>>> counts = new LinkedHashMap<>();
        int[] experts = {0};
        TaskContext observed = ctx.with(ctx.encoder().observed((segments, task, e) -> {
            float[] valid = e.valid() == null ? null : e.valid().toFloatArray();
            long length = e.hidden().getShape().get(1);
            for (int block = 0; block < e.decisions().size(); block++) {
                Map<String, Boolean> seen = new LinkedHashMap<>();
                for (var d : e.decisions().get(block).entrySet()) {
                    String group = d.getKey().contains(".")
                            ? d.getKey().substring(0, d.getKey().indexOf('.'))
                            : d.getKey();
                    if (seen.put(group, true) != null) {
                        continue; // proj shares qkv's decision, fc2 shares fc1's
                    }
                    RoutingDecision r = d.getValue();
                    experts[0] = Math.max(experts[0], r.experts());
                    long[] idx = r.indices().toLongArray();
                    int k = Math.toIntExact(r.indices().getShape().get(1));
                    Map<String, long[]> byCondition = counts.computeIfAbsent(group, g -> new TreeMap<>())
                            .computeIfAbsent(block, b -> new LinkedHashMap<>());
                    long tokens = idx.length / k;
                    for (int t = 0; t < tokens; t++) {
                        int position = (int) (t % length);
                        if (valid != null && valid[t] == 0) {
                            continue;
                        }
                        String c = label(condition, segment(segments, position), names.get(task));
                        long[] row = byCondition.computeIfAbsent(c, x -> new long[r.experts()]);
                        for (int j = 0; j < k; j++) {
                            row[(int) idx[t * k + j]]++;
                        }
                    }
                }
            }
        }));
        for (GeneralistTask task : tasks) {
            int size = task.size(ctx.corpus(), MultimodalCorpus.Split.VAL);
            if (size < 2) {
                throw InvalidInputException.file(ctx.corpus().root(), "has fewer than 2 val items for " + task.id());
            }
            for (int b = 0; b < batches; b++) {
                SplittableRandom rng = new SplittableRandom(seed * 31 + task.index() * 1009L + b);
                int[] items = Interference.distinct(rng, size, Math.min(batch, size));
                TaskBatch tb = task.batch(ctx.corpus(), ctx.tokenizer(), MultimodalCorpus.Split.VAL, items, rng);
                try (NDManager m = ctx.manager().newSubManager();
                        NDScope scope = new NDScope()) {
                    task.loss(observed.on(m), tb, false);
                }
            }
        }
        Map<String, Map<String, double[]>> shares = new LinkedHashMap<>();
        Map<String, Map<String, Long>> totals = new LinkedHashMap<>();
        counts.forEach((group, blocks) -> {
            Map<String, double[]> rows = new LinkedHashMap<>();
            Map<String, Long> sums = new LinkedHashMap<>();
            blocks.forEach((block, byCondition) -> new TreeMap<>(byCondition).forEach((c, row) -> {
                long total = 0;
                for (long v : row) {
                    total += v;
                }
                double[] s = new double[row.length];
                for (int e = 0; e < row.length; e++) {
                    s[e] = total == 0 ? 0 : (double) row[e] / total;
                }
                rows.put("block " + block + " · " + c, s);
                sums.put("block " + block + " · " + c, total);
            }));
            shares.put(group, rows);
            totals.put(group, sums);
        });
        return new Result(condition, experts[0], shares, totals);
    }

    private static Segment segment(List<Segment> segments, int position) {
        for (Segment s : segments) {
            if (position >= s.start() && position < s.end()) {
                return s;
            }
        }
        throw new IllegalStateException("position " + position + " is in no segment");
    }

    static String label(Condition c, Segment s, String task) {
        return switch (c) {
            case TASK -> task;
            case MODALITY -> s.modality() == Segment.VISUAL ? "visual" : "text";
            case ATTRIBUTE -> ATTRIBUTE_NAMES.getOrDefault(
                    Attributes.key(s.attributes()), Attributes.key(s.attributes()));
        };
    }
}
