package org.m3vit.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.generalist.GeneralistFixtures;
import org.m3vit.generalist.OneThread;

/** The generalist demo's pieces at a tiny budget: every model trained and measured, the report and its PNGs. */
@ExtendWith(OneThread.class)
class GeneralistDemoTest {

    @Test
    void writesTheReport(@TempDir Path out) throws IOException {
        GeneralistDemo.Result r = GeneralistDemo.run(
                new GeneralistDemo.Settings(out, GeneralistFixtures.TINY, 120, 24, 12, 6, 6, 2, 16, 3, 1),
                s -> {},
                s -> {});
        assertEquals(6, r.models().size());
        assertEquals(6, r.adaptations().size());
        assertTrue(Files.isRegularFile(r.report()));
        String md = Files.readString(r.report());
        for (String part : new String[] {
            "## Verdicts",
            "## Routing levels compared",
            "## Task interference",
            "## Zero-shot",
            "## Expert-activation maps",
            "| attribute |",
            "| token |",
            "prompt tuning 1%"
        }) {
            assertTrue(md.contains(part), part);
        }
        for (String png : new String[] {
            "main-metrics.png",
            "interference-dense-block1.png",
            "interference-attribute-block1.png",
            "activation-attribute-by-attribute-mlp.png",
            "activation-token-by-modality-attn.png"
        }) {
            Path p = r.report().resolveSibling(png);
            assertTrue(Files.size(p) > 1000, png);
        }
        // the corpus is reused on a re-run
        assertTrue(Files.isRegularFile(out.resolve("corpus/corpus.json")));
    }
}
