package org.m3vit.generalist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.synth.MultimodalSynthesizer;
import org.m3vit.generalist.corpus.CorpusSynthesis;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.eval.CaptionMetrics;
import org.m3vit.generalist.text.SubwordTokenizer;

/** The multimodal corpus: deterministic by seed, its captions and labels agree with its objects. */
class CorpusTest {

    @Test
    void sameSeedSameBytesForAnyThreadCount(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        CorpusSynthesis.run(new MultimodalSynthesizer.Options(10, 4, 3, 24, 32, 9, 0.3, 1), a, i -> {});
        CorpusSynthesis.run(new MultimodalSynthesizer.Options(10, 4, 3, 24, 32, 9, 0.3, 3), b, i -> {});
        try (Stream<Path> files = Files.walk(a)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                assertArrayEquals(
                        Files.readAllBytes(p),
                        Files.readAllBytes(b.resolve(a.relativize(p).toString())),
                        p.toString());
            }
        }
    }

    @Test
    void captionsCountsAndLabelsDescribeTheObjects(@TempDir Path tmp) throws IOException {
        Path root = GeneralistFixtures.corpus(tmp, 40, 8, 21);
        for (String line : Files.readAllLines(root.resolve("images.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            var objects = o.getAsJsonArray("objects");
            String caption = o.get("caption").getAsString();
            assertEquals(objects.size(), o.get("count").getAsInt());
            int slot = -1;
            int dominant = 0;
            for (int i = 0; i < objects.size(); i++) {
                JsonObject obj = objects.get(i).getAsJsonObject();
                assertTrue(obj.get("slot").getAsInt() > slot, "objects are listed left to right: " + line);
                slot = obj.get("slot").getAsInt();
                assertTrue(caption.contains(obj.get("colour").getAsString()), caption + " names every colour");
                if (obj.get("pixels").getAsInt()
                        > objects.get(dominant).getAsJsonObject().get("pixels").getAsInt()) {
                    dominant = i;
                }
            }
            JsonObject d = objects.get(dominant).getAsJsonObject();
            assertEquals(
                    d.get("colour").getAsString() + " " + d.get("shape").getAsString(),
                    o.get("label").getAsString());
            if (objects.size() == 1) {
                assertEquals("a " + o.get("label").getAsString(), caption);
            }
        }
        try (SubwordTokenizer t = SubwordTokenizer.load(MultimodalCorpus.tokenizerFile(root))) {
            MultimodalCorpus c = MultimodalCorpus.open(root, t, 24);
            assertEquals(
                    40,
                    c.images(MultimodalCorpus.Split.TRAIN).size()
                            + c.images(MultimodalCorpus.Split.VAL).size());
            assertEquals(10, c.images(MultimodalCorpus.Split.VAL).size());
            assertEquals(20, c.imageClasses().size());
            assertEquals(
                    List.of(
                            "the camera pans left",
                            "the camera pans right",
                            "the camera moves forward",
                            "the camera moves back"),
                    c.videoClasses());
            assertEquals(
                    4 * 3 * 32 * 32,
                    c.videos(MultimodalCorpus.Split.TRAIN).get(0).pixels().length);
            for (MultimodalCorpus.Text text : c.texts(MultimodalCorpus.Split.TRAIN)) {
                assertEquals(
                        c.textClasses().get(text.label()).split(" ")[0],
                        List.of("one", "two", "three").get(text.label()));
            }
        }
    }

    @Test
    void captionMetricsOnKnownValues() {
        List<String> refs = List.of("a red ball left of a blue box", "two green cans");
        assertEquals(1.0, CaptionMetrics.bleu4(refs, refs), 1e-12);
        assertEquals(0.0, CaptionMetrics.bleu4(List.of("a red ball", "a can"), refs), 1e-12, "no 4-gram in common");
        assertTrue(CaptionMetrics.cider(refs, refs) > CaptionMetrics.cider(List.of(refs.get(1), refs.get(0)), refs));
        // brevity penalty: half the length, every n-gram right → exp(1 − 2) times the precision 1
        double bleu = CaptionMetrics.bleu4(List.of("a b c d"), List.of("a b c d e f g h"));
        assertEquals(Math.exp(1 - 2.0), bleu, 1e-12);
    }
}
