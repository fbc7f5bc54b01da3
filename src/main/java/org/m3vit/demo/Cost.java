package org.m3vit.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.m3vit.config.ModelConfig;
import org.m3vit.model.FlopCounter;
import org.m3vit.report.TextTable;
import org.m3vit.task.Task;

/**
 * What a trained model costs: parameters, and per task pathway (one task's inference, the M³ViT way)
 * the parameters it touches and its FLOPs (averaged over tasks); FLOPs of all tasks at once; the
 * wall-clock training time in this demo.
 */
public record Cost(
        String model,
        long params,
        double activeParamsPerTask,
        double gflopsPerTask,
        double gflopsAllTasks,
        double trainSeconds) {

    static Cost of(String model, ModelConfig c, double trainSeconds) {
        FlopCounter f = new FlopCounter(c);
        double active = 0;
        double flops = 0;
        List<Task> tasks = c.tasks().tasks();
        for (Task t : tasks) {
            FlopCounter.Row r = f.pathway(t, "");
            active += r.activeParams();
            flops += r.flops();
        }
        FlopCounter.Row all = f.allTasks("");
        return new Cost(
                model,
                all.params(),
                active / tasks.size(),
                flops / tasks.size() / 1e9,
                all.flops() / 1e9,
                trainSeconds);
    }

    /** A cost table as aligned text, or as Markdown. */
    static String table(List<Cost> costs, boolean markdown) {
        List<String> header = List.of(
                "model",
                "params (M)",
                "active params per task (M)",
                "GFLOPs per task",
                "GFLOPs all tasks",
                "training time");
        List<List<String>> rows = new ArrayList<>();
        for (Cost c : costs) {
            long t = Math.round(c.trainSeconds());
            rows.add(List.of(
                    c.model(),
                    String.format(Locale.ROOT, "%.3f", c.params() / 1e6),
                    String.format(Locale.ROOT, "%.3f", c.activeParamsPerTask() / 1e6),
                    String.format(Locale.ROOT, "%.3f", c.gflopsPerTask()),
                    String.format(Locale.ROOT, "%.3f", c.gflopsAllTasks()),
                    String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60)));
        }
        return markdown ? TextTable.markdown(header, rows) : TextTable.text(header, rows);
    }
}
