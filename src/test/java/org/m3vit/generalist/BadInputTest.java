package org.m3vit.generalist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.Main;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.text.SubwordTokenizer;

/** Bad configs and bad corpora are errors that name the key, or the file and what is wrong in it. */
class BadInputTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void corpus() throws IOException {
        GeneralistFixtures.corpus(data, 12, 4, 13);
    }

    private static void badConfig(String key, String messagePart, Object... overrides) {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> GeneralistFixtures.tiny(overrides), key);
        assertEquals(key, e.subject(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void badConfigsNameTheKey() {
        badConfig("model.moe.routing", "unknown routing condition 'pixel'", "model.moe.routing", "pixel");
        badConfig("model.moe.routing", "M³ViT's", "model.moe.routing", "task_conditioned");
        badConfig("model.moe.top_k", "must be <= model.moe.experts", "model.moe.top_k", 9);
        badConfig("model.image_size", "multiple of model.patch_size", "model.image_size", List.of(30, 32));
        badConfig("model.embed_dim", "divisible by model.num_heads", "model.embed_dim", 33);
        badConfig("model.moe.layers", "block indices", "model.moe.layers", List.of(0, 7));
        badConfig("model.moe.capacity_factor", "capacity_factor", "model.moe.capacity_factor", -1);
        badConfig("train.tasks.segmentation", "unknown task", "train.tasks.segmentation.sample_weight", 1);
        badConfig("train.tasks.mlm.sample_weight", "must be > 0", "train.tasks.mlm.sample_weight", 0);
        badConfig("train.optimizer.betas", "[beta1, beta2]", "train.optimizer.betas", List.of(0.9));
        badConfig("model.dropout", "unknown config key", "model.dropout", 0.1);
        badConfig("train.batch_size", "positive integer", "train.batch_size", 0);
    }

    private static Path copy(Path tmp) throws IOException {
        Path out = tmp.resolve("corpus");
        try (var files = Files.walk(data)) {
            for (Path p : files.toList()) {
                Path q = out.resolve(data.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return out;
    }

    private static InvalidInputException badCorpus(Path root, int maxTokens) throws IOException {
        try (SubwordTokenizer t = SubwordTokenizer.load(MultimodalCorpus.tokenizerFile(data))) {
            return assertThrows(InvalidInputException.class, () -> MultimodalCorpus.open(root, t, maxTokens));
        }
    }

    @Test
    void badCorporaNameTheFile(@TempDir Path tmp) throws IOException {
        Path c = copy(tmp.resolve("a"));
        Files.delete(c.resolve("corpus.json"));
        assertTrue(badCorpus(c, 24).getMessage().contains("corpus.json"));

        c = copy(tmp.resolve("b"));
        Files.delete(c.resolve("images").resolve("img_000003.png"));
        InvalidInputException e = badCorpus(c, 24);
        assertTrue(e.getMessage().contains("img_000003.png") && e.getMessage().contains("missing"), e.getMessage());

        c = copy(tmp.resolve("c"));
        List<String> lines = Files.readAllLines(c.resolve("images.jsonl"));
        lines.set(1, lines.get(1).replaceFirst("\"label\":\"[a-z ]+\"", "\"label\":\"golden ball\""));
        Files.write(c.resolve("images.jsonl"), lines);
        e = badCorpus(c, 24);
        assertTrue(
                e.getMessage().contains("images.jsonl line 2") && e.getMessage().contains("golden ball"),
                e.getMessage());

        c = copy(tmp.resolve("d"));
        e = badCorpus(c, 2);
        assertTrue(e.getMessage().contains("model.text_length"), e.getMessage());

        c = copy(tmp.resolve("e"));
        Files.writeString(c.resolve("videos.jsonl"), "{not json\n");
        e = badCorpus(c, 24);
        assertTrue(
                e.getMessage().contains("videos.jsonl line 1") && e.getMessage().contains("malformed"), e.getMessage());

        try (SubwordTokenizer t = SubwordTokenizer.load(MultimodalCorpus.tokenizerFile(data))) {
            MultimodalCorpus ok = MultimodalCorpus.open(data, t, 24);
            e = assertThrows(InvalidInputException.class, () -> ok.checkFits(64, 64, 4));
            assertTrue(e.getMessage().contains("model.image_size"), e.getMessage());
            e = assertThrows(InvalidInputException.class, () -> ok.checkFits(32, 32, 8));
            assertTrue(e.getMessage().contains("model.frames"), e.getMessage());
        }
    }

    /** {@code generalist train} of the tiny config on the test corpus into {@code saveDir}, plus {@code extra}. */
    private static int trainTinyInto(Path saveDir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "generalist",
                "train",
                "--config",
                GeneralistFixtures.TINY.toString(),
                "--data",
                data.toString(),
                "--save-dir",
                saveDir.toString()));
        args.addAll(List.of(extra));
        return Main.run(args.toArray(new String[0]));
    }

    @Test
    void theCliExitsWithTwoOnBadInput(@TempDir Path tmp) throws IOException {
        Path cfg = tmp.resolve("bad.yml");
        Files.writeString(
                cfg, Files.readString(GeneralistFixtures.TINY).replace("routing: attribute", "routing: pixel"));
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Path held = Files.createDirectories(tmp.resolve("held"));
        Files.writeString(held.resolve("metrics.jsonl"), "");
        int code;
        int noCorpus;
        int heldRun;
        int both;
        try {
            heldRun = trainTinyInto(held);
            both = trainTinyInto(held, "--resume", held.toString(), "--overwrite");
            code = Main.run(
                    "generalist",
                    "train",
                    "--config",
                    cfg.toString(),
                    "--data",
                    data.toString(),
                    "--save-dir",
                    tmp.resolve("run").toString());
            noCorpus = Main.run(
                    "generalist",
                    "eval",
                    "--weights",
                    tmp.resolve("none.safetensors").toString(),
                    "--data",
                    data.toString());
        } finally {
            System.setErr(err);
        }
        assertEquals(2, heldRun, captured.toString());
        assertTrue(captured.toString().contains("already holds a run")
                && captured.toString().contains("--overwrite"));
        assertEquals(2, both, captured.toString());
        assertTrue(captured.toString().contains("--resume and --overwrite exclude each other"), captured.toString());
        assertEquals(2, code, captured.toString());
        assertEquals(2, noCorpus, captured.toString());
        assertTrue(captured.toString().contains("model.moe.routing"), captured.toString());
        assertTrue(captured.toString().contains("none.safetensors"), captured.toString());
    }
}
