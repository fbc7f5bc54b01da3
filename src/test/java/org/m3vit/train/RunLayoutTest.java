package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The run directory's file names: existing runs use them, so they are pinned here. */
class RunLayoutTest {

    @Test
    void namesEveryFileOfARunDirectory() {
        Path dir = Path.of("runs", "x");
        RunLayout run = new RunLayout(dir);
        assertEquals(dir.resolve("checkpoint.json"), run.checkpointJson());
        assertEquals("weights-epoch0003.safetensors", RunLayout.weightsName(3));
        assertEquals("optimizer-epoch0012.safetensors", RunLayout.optimizerName(12));
        assertEquals(dir.resolve("weights-epoch0003.safetensors"), run.file(RunLayout.weightsName(3)));
        assertEquals(dir.resolve("best.safetensors"), run.bestWeights());
        assertEquals(dir.resolve("metrics.jsonl"), run.metricsLog());
        assertEquals(dir.resolve("expert_usage.json"), run.expertUsage());
        assertEquals(dir.resolve("results"), run.results());
        assertEquals(dir.resolve("results").resolve("metrics.json"), run.resultsMetrics());
        assertEquals(dir.resolve("final_metrics.json"), run.legacyFinalMetrics());
        assertEquals(dir.resolve("run_info.json"), run.runInfo());
        assertEquals(dir.resolve(".m3vit-demo-run"), run.demoMarker());
    }
}
