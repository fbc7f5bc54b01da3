package org.m3vit.generalist.evidence;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskContext;

/**
 * Zero-shot classification of novel classes, described only by their names: a model trained with
 * {@code train.hold_out} never saw those classes as labels (their images still appear in the other tasks,
 * captioned, as web images do for CLIP-style models). Evaluation only: no parameter is updated.
 *
 * <ul>
 *   <li>{@code novel_top1}: val items of the held-out classes, ranked among the held-out class names only
 *       (the zero-shot setting);
 *   <li>{@code novel_top1_all}: the same items among all class names (generalised zero-shot: the seen
 *       classes compete);
 *   <li>{@code seen_top1}: the other val items among all class names.
 * </ul>
 *
 * Chance for {@code novel_top1} is the best constant answer: the most frequent held-out class's share of
 * the novel items.
 */
public final class ZeroShot {

    private ZeroShot() {}

    public record Result(
            String task,
            List<String> novel,
            int novelItems,
            int seenItems,
            Map<String, Double> metrics,
            double chance) {}

    public static Result run(
            TaskContext ctx, String taskId, List<String> novel, MultimodalCorpus.Split split, int limit) {
        GeneralistTask task = GeneralistTask.get(taskId);
        List<String> classes = task.classes(ctx.corpus());
        if (classes.isEmpty()) {
            throw InvalidInputException.field("zero-shot task", taskId + " is not a classification task");
        }
        boolean[] isNovel = new boolean[classes.size()];
        for (String n : novel) {
            int c = classes.indexOf(n);
            if (c < 0) {
                throw InvalidInputException.field("zero-shot classes", "'" + n + "' is not a class of " + taskId);
            }
            isNovel[c] = true;
        }
        int[] labels = task.labels(ctx.corpus(), split);
        List<Integer> novelItems = new ArrayList<>();
        List<Integer> seenItems = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            (isNovel[labels[i]] ? novelItems : seenItems).add(i);
        }
        int[] nov = novelItems.stream().limit(limit).mapToInt(Integer::intValue).toArray();
        int[] seen = seenItems.stream().limit(limit).mapToInt(Integer::intValue).toArray();
        if (nov.length == 0) {
            throw InvalidInputException.file(
                    ctx.corpus().root(), "has no " + split.id() + " items of the classes " + novel);
        }
        double restricted = 0;
        double all = 0;
        int[] counts = new int[classes.size()];
        float[][] logits = task.classLogits(ctx, split, nov);
        for (int i = 0; i < nov.length; i++) {
            int label = labels[nov[i]];
            counts[label]++;
            all += argMax(logits[i], null) == label ? 1 : 0;
            restricted += argMax(logits[i], isNovel) == label ? 1 : 0;
        }
        double seenTop1 = Double.NaN;
        if (seen.length > 0) {
            float[][] s = task.classLogits(ctx, split, seen);
            double hits = 0;
            for (int i = 0; i < seen.length; i++) {
                hits += argMax(s[i], null) == labels[seen[i]] ? 1 : 0;
            }
            seenTop1 = hits / seen.length;
        }
        int best = 0;
        for (int c : counts) {
            best = Math.max(best, c);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("novel_top1", restricted / nov.length);
        m.put("novel_top1_all", all / nov.length);
        m.put("seen_top1", seenTop1);
        return new Result(taskId, List.copyOf(novel), nov.length, seen.length, m, (double) best / nov.length);
    }

    /** The best class, among those {@code allowed} (null: all). */
    static int argMax(float[] row, boolean[] allowed) {
        int best = -1;
        for (int c = 0; c < row.length; c++) {
            if ((allowed == null || allowed[c]) && (best < 0 || row[c] > row[best])) {
                best = c;
            }
        }
        return best;
    }
}
