package org.m3vit.train;

import java.util.List;
import java.util.function.Consumer;

/** The listeners of an {@code m3vit train} run, in the order that keeps a run directory consistent. */
public final class StandardListeners {

    private StandardListeners() {}

    /**
     * Best weights first, so a checkpoint that names a best epoch has its weights on disk; then the
     * checkpoint, so metrics.jsonl never lists an epoch that no checkpoint covers; then the metrics line,
     * the expert usage and the log lines.
     */
    public static List<TrainingLoopListener> of(TrainingLoop<?> loop, Consumer<String> progress, Consumer<String> log) {
        RunLayout run = loop.run();
        return List.of(
                new BestWeightsListener(run, loop.model(), log),
                new CheckpointListener(run, loop.model(), loop.optimizer()),
                new MetricsLogListener(run),
                new ExpertUsageListener(run),
                new ProgressListener(progress, log));
    }
}
