package org.m3vit.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

/**
 * Appends each epoch's {@link EpochRecord} to {@code metrics.jsonl}. An append, not an atomic rewrite: a
 * crash can lose at most the line of the epoch being finished, whose checkpoint comes first.
 */
public final class MetricsLogListener implements TrainingLoopListener {

    private final RunLayout run;

    public MetricsLogListener(RunLayout run) {
        this.run = run;
    }

    @Override
    public void onEpochEnd(EpochEnd end) throws IOException {
        Files.writeString(
                run.metricsLog(),
                end.record().toJson() + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
