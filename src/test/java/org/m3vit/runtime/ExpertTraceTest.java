package org.m3vit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.errors.InvalidInputException;

/** The trace file: what the writer writes the reader reads back, and broken files name the field. */
class ExpertTraceTest {

    @TempDir
    Path dir;

    static ExpertTrace sample() {
        // 3 experts, top-2, 3 tokens: each layer's queues sum to 6.
        return new ExpertTrace(
                3,
                2,
                3,
                4,
                List.of(
                        new ExpertTrace.Image(
                                "a",
                                "semseg",
                                List.of(
                                        new ExpertTrace.Layer(1, List.of(3, 0, 3), 800),
                                        new ExpertTrace.Layer(3, List.of(2, 2, 2), ExpertTrace.NOT_MEASURED))),
                        new ExpertTrace.Image(
                                "b",
                                "depth",
                                List.of(
                                        new ExpertTrace.Layer(1, List.of(1, 2, 3), 1200),
                                        new ExpertTrace.Layer(3, List.of(3, 3, 0), 800)))));
    }

    @Test
    void roundTrip() throws Exception {
        Path f = dir.resolve("t.json");
        sample().write(f);
        assertEquals(sample(), ExpertTrace.read(f));
        assertTrue(Files.readString(f).contains("\"format\": \"m3vit-expert-trace\""));
        assertTrue(!Files.readString(f).contains("-1"), "an unmeasured layer has no bytes_loaded at all");
    }

    @Test
    void brokenFilesNameTheFileAndField() throws Exception {
        Path f = dir.resolve("t.json");
        sample().write(f);
        String good = Files.readString(f);
        assertBad(f, good.replace("\"version\": 1", "\"version\": 2"), "version");
        assertBad(f, good.replace("m3vit-expert-trace", "something-else"), "format");
        assertBad(f, good.replaceFirst("3,\\s*0,\\s*3", "3, 0, 2"), "images[0].layers[0].queue_lengths");
        assertBad(f, good.replaceFirst("3,\\s*0,\\s*3", "3, 3"), "images[0].layers[0].queue_lengths");
        assertBad(f, good.replaceFirst("3,\\s*0,\\s*3", "4, 0, 2"), "images[0].layers[0].queue_lengths[0]");
        assertBad(f, good.replace("\"top_k\": 2", "\"top_k\": 4"), "top_k");
        assertBad(f, "{\"format\": [", "not valid JSON");
        InvalidInputException missing =
                assertThrows(InvalidInputException.class, () -> ExpertTrace.read(dir.resolve("none.json")));
        assertEquals(InvalidInputException.Kind.FILE, missing.kind());
    }

    private void assertBad(Path f, String content, String field) throws Exception {
        Files.writeString(f, content);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ExpertTrace.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
