package org.m3vit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.eval.MetricsJson;
import org.m3vit.eval.SavedPredictionScorer;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code m3vit score}: metrics of a saved results directory against a dataset's val split. */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description = "Score saved predictions (DIR/<task>/<id>.png, DIR/depth/<id>.npy) against the val split of a"
                + " dataset root; prints one JSON object with the requested tasks' metrics.")
final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--db", required = true, description = "Dataset layout: nyud or pascal.")
    String db;

    @Option(
            names = "--root",
            required = true,
            paramLabel = "DATA",
            description = "Dataset root (NYUD_MT / PASCAL_MT layout).")
    Path root;

    @Option(names = "--pred", required = true, paramLabel = "DIR", description = "Results directory.")
    Path pred;

    @Option(
            names = "--tasks",
            required = true,
            split = ",",
            paramLabel = "t1,t2",
            description = "Tasks to score: semseg, human_parts, sal, normals, edge, depth.")
    List<String> tasks;

    @Override
    public Integer call() throws Exception {
        DatasetLayout layout = DatasetLayout.parse(db);
        List<Task> wanted = new ArrayList<>();
        for (String s : tasks) {
            Task t = Task.parse(s);
            if (!wanted.contains(t)) {
                wanted.add(t);
            }
        }
        wanted.sort(null); // the reference's task order, whatever order the flag used
        MultiTaskReader reader = MultiTaskReader.open(layout, root, Split.VAL, EnumSet.copyOf(wanted));
        var metrics = SavedPredictionScorer.score(reader, pred, wanted, Progress.line());
        Progress.clear();
        System.out.println(MetricsJson.format(MetricsJson.of(metrics)));
        return 0;
    }
}
