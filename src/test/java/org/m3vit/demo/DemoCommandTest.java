package org.m3vit.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;

/**
 * {@code m3vit demo} end to end with the tiny configs (the shipped demo configs take minutes): data is
 * synthesised, both models are trained and scored, the report has every section, and a re-run reuses the
 * data and replaces the runs. Whether training beats the baselines is measured by the real demo, not here.
 */
class DemoCommandTest {

    private static final String DENSE = "configs/synth/vit/tiny_pascal.yml";
    private static final String MOE = "configs/synth/vit_moe/tiny_pascal.yml";

    private static CliRun demo(Path out, String validate) {
        return CliRun.of(
                "demo",
                "--out",
                out.toString(),
                "--dense-config",
                DENSE,
                "--moe-config",
                MOE,
                "--images",
                "20",
                "--epochs",
                "1",
                "--examples",
                "2",
                validate);
    }

    @Test
    void runsEndToEndAndWritesTheReport(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("demo");
        CliRun r = demo(out, "--validate");
        assertEquals(0, r.exit, r.err);
        for (String row : new String[] {"trivial", "dense ViT untrained", "M³ViT untrained", "dense ViT", "M³ViT"}) {
            assertTrue(r.out.contains("\n" + row + " "), row + " missing from\n" + r.out);
        }
        assertTrue(r.out.contains("M³ViT vs trivial:") && r.out.contains("M³ViT vs M³ViT untrained:"), r.out);
        assertTrue(r.out.contains("active params per task (M)") && r.out.contains("training time"), r.out);
        Path report = out.resolve("report");
        String md = Files.readString(report.resolve("report.md"));
        assertTrue(md.contains("## Demo: dense multi-task ViT vs M³ViT") && md.contains("| GFLOPs per task |"), md);
        for (String png : new String[] {
            "loss_M_ViT.png",
            "loss_dense_ViT.png",
            "metrics_semseg.png",
            "metrics_edge.png",
            "experts_M_ViT_semseg.png",
            "experts_M_ViT_human_parts.png",
            "examples.png",
            "val_semseg.png"
        }) {
            assertTrue(Files.size(report.resolve(png)) > 1000, png);
            assertTrue(md.contains("(" + png + ")"), png + " not linked from report.md");
        }
        assertTrue(!Files.exists(report.resolve("experts_dense_ViT_semseg.png")), "a dense model has no expert usage");
        assertTrue(Files.isRegularFile(out.resolve("runs/m3vit/results/metrics.json")));
        assertTrue(Files.isRegularFile(out.resolve("runs/dense/run_info.json")));

        CliRun again = demo(out, "--threads=2");
        assertEquals(0, again.exit, again.err);
        assertTrue(!Files.exists(report.resolve("val_semseg.png")), "a re-run without --validate drops the curves");
        assertTrue(
                again.err.contains("using the existing dataset") && again.err.contains("replacing the previous run"),
                again.err);
    }

    @Test
    void badInputExits2WithAMessage(@TempDir Path tmp) throws Exception {
        CliRun few = CliRun.of("demo", "--out", tmp.resolve("a").toString(), "--images", "5");
        assertEquals(2, few.exit, few.err);
        assertTrue(few.err.contains("images: must be >= 10"), few.err);

        CliRun swapped =
                CliRun.of("demo", "--out", tmp.resolve("b").toString(), "--dense-config", MOE, "--moe-config", DENSE);
        assertEquals(2, swapped.exit, swapped.err);
        assertTrue(swapped.err.contains("the dense config must describe a dense ViT"), swapped.err);

        Path junk = tmp.resolve("junk");
        Files.createDirectories(junk);
        Files.writeString(junk.resolve("notes.txt"), "not a dataset");
        CliRun notData = CliRun.of(
                "demo",
                "--out",
                tmp.resolve("d").toString(),
                "--data",
                junk.toString(),
                "--dense-config",
                DENSE,
                "--moe-config",
                MOE);
        assertEquals(2, notData.exit, notData.err);
        assertTrue(notData.err.contains("is not a complete pascal-layout dataset"), notData.err);

        // A run directory the demo did not write is refused before any work, and left alone.
        Path foreign = tmp.resolve("f").resolve("runs").resolve("dense");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("checkpoint.json"), "{}");
        CliRun notOurs = CliRun.of(
                "demo",
                "--out",
                tmp.resolve("f").toString(),
                "--dense-config",
                DENSE,
                "--moe-config",
                MOE,
                "--images",
                "20");
        assertEquals(2, notOurs.exit, notOurs.err);
        assertTrue(notOurs.err.contains("was not written by m3vit demo"), notOurs.err);
        assertTrue(Files.exists(foreign.resolve("checkpoint.json")) && !Files.exists(tmp.resolve("f/data")));

        Path file = Files.writeString(tmp.resolve("file"), "x");
        CliRun outIsFile = CliRun.of("demo", "--out", file.toString(), "--dense-config", DENSE, "--moe-config", MOE);
        assertEquals(2, outIsFile.exit, outIsFile.err);
        assertTrue(outIsFile.err.contains("exists and is not a directory"), outIsFile.err);

        CliRun negative = CliRun.of(
                "demo",
                "--out",
                tmp.resolve("g").toString(),
                "--dense-config",
                DENSE,
                "--moe-config",
                MOE,
                "--examples",
                "-1");
        assertEquals(2, negative.exit, negative.err);
        assertTrue(negative.err.contains("examples: must be >= 0"), negative.err);

        CliRun layout = CliRun.of("demo", "--out", tmp.resolve("e").toString(), "--layout", "coco");
        assertEquals(2, layout.exit, layout.err);
        assertTrue(layout.err.contains("'coco'"), layout.err);

        CliRun missing = CliRun.of("demo", "--out", tmp.resolve("c").toString(), "--moe-config", "nope.yml");
        assertEquals(2, missing.exit, missing.err);
        assertTrue(missing.err.contains("nope.yml"), missing.err);
    }
}
