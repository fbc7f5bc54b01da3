package org.m3vit.generalist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.model.Segment;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.task.ImageClassificationAccess;
import org.m3vit.moe.RoutingDecision;

/**
 * Each routing level routes as Uni-Perceiver-MoE specifies: attribute rows are the reference table's; with
 * attribute, modality or task routing every token of a segment takes the same experts; with context routing
 * every token of a sequence does; attention (qkv/proj) and FFN (fc1/fc2) share their group's decision.
 */
@ExtendWith(OneThread.class)
class RoutingLevelsTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void corpus() throws IOException {
        GeneralistFixtures.corpus(data, 24, 8, 7);
    }

    @Test
    void attributeRowsAreTheReferenceTable() {
        // uniperceiver/datasets/moe_embeddings.py (reference spec §2.1)
        assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 0, 0}, Attributes.VISUAL_INPUT);
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1, 0, 0}, Attributes.TEXT_INPUT);
        assertArrayEquals(new float[] {1, 1, 0, 1, 1, 0, 0, 0}, Attributes.CAPTION_IMAGE);
        assertArrayEquals(new float[] {1, 1, 0, 1, 0, 1, 0, 1}, Attributes.CAPTION_TEXT);
        assertArrayEquals(new float[] {1, 0, 0, 1, 0, 1, 1, 0}, Attributes.VISUAL_TASK_TEXT_TARGET);
        assertArrayEquals(new float[] {1, 1, 0, 1, 0, 1, 1, 0}, Attributes.TEXT_TASK_TARGET);
        List<Segment> caption = SequenceEncoder.caption(16, 10);
        assertEquals(2, caption.size());
        assertArrayEquals(Attributes.CAPTION_IMAGE, caption.get(0).attributes());
        assertEquals(Segment.VISUAL, caption.get(0).modality());
        assertEquals(Segment.TEXT, caption.get(1).modality());
        assertEquals(17, caption.get(1).start(), "[SPE] and the image tokens are segment 0 (data_cum_length[1])");
        assertArrayEquals(Attributes.CAPTION_TEXT, caption.get(1).attributes());
    }

    /** Every block's decisions of one caption encoding (2 sequences of 1 + 16 image + 2·5 text positions). */
    private static List<Map<String, RoutingDecision>> captionDecisions(String level, NDManager manager)
            throws IOException {
        GeneralistConfig config = GeneralistFixtures.tiny("model.moe.routing", level, "model.moe.layers", "all");
        GeneralistFixtures.Setup s = GeneralistFixtures.setup(config, data, manager);
        NDArray images =
                ImageClassificationAccess.images(manager, s.corpus(), MultimodalCorpus.Split.TRAIN, new int[] {0, 1});
        List<int[]> words = List.of(new int[] {4, 5, 6, 7, 8}, new int[] {9, 10, 11, 12, 13});
        GeneralistModel.Encoded e =
                s.context().encoder().caption(manager, images, words, new int[] {0, 1, 2, 3, 4}, 4, true);
        s.close();
        return e.decisions();
    }

    /** The distinct expert choices (sorted top-k) of tokens [from, to) of sequence {@code seq}. */
    private static Set<String> choices(RoutingDecision d, int length, int seq, int from, int to) {
        long[] idx = d.indices().toLongArray();
        int k = Math.toIntExact(d.indices().getShape().get(1));
        Set<String> out = new HashSet<>();
        for (int p = from; p < to; p++) {
            long[] c = Arrays.copyOfRange(idx, (seq * length + p) * k, (seq * length + p + 1) * k);
            Arrays.sort(c);
            out.add(Arrays.toString(c));
        }
        return out;
    }

    @Test
    void segmentLevelsAreConstantWithinEachSegment() throws IOException {
        int length = 1 + 16 + 10;
        for (String level : List.of("attribute", "modality", "task")) {
            try (NDManager manager = NDManager.newBaseManager()) {
                List<Map<String, RoutingDecision>> decisions = captionDecisions(level, manager);
                for (Map<String, RoutingDecision> block : decisions) {
                    assertEquals(
                            List.of("attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"), new ArrayList<>(block.keySet()));
                    assertTrue(block.get("attn.qkv") == block.get("attn.proj"), "proj applies qkv's decision");
                    assertTrue(block.get("mlp.fc1") == block.get("mlp.fc2"), "fc2 applies fc1's decision");
                    for (String role : List.of("attn.qkv", "mlp.fc1")) {
                        RoutingDecision d = block.get(role);
                        Set<String> image0 = choices(d, length, 0, 0, 17);
                        Set<String> text0 = choices(d, length, 0, 17, length);
                        assertEquals(1, image0.size(), level + " " + role + ": one choice for [SPE] + image");
                        assertEquals(1, text0.size(), level + " " + role + ": one choice for the text segment");
                        assertEquals(image0, choices(d, length, 1, 0, 17), "the same for every sequence");
                        assertEquals(text0, choices(d, length, 1, 17, length), "the same for every sequence");
                        if (level.equals("task")) {
                            assertEquals(image0, text0, "task routing: one decision for the whole task");
                        }
                    }
                }
            }
        }
    }

    @Test
    void contextLevelIsConstantWithinASequence() throws IOException {
        int length = 1 + 16 + 10;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Map<String, RoutingDecision> block : captionDecisions("context", manager)) {
                for (String role : List.of("attn.qkv", "mlp.fc1")) {
                    RoutingDecision d = block.get(role);
                    Set<String> first = choices(d, length, 0, 0, length);
                    Set<String> second = choices(d, length, 1, 0, length);
                    assertEquals(1, first.size(), "context " + role + ": one choice per sequence");
                    assertEquals(1, second.size(), "context " + role + ": one choice per sequence");
                }
            }
        }
    }

    @Test
    void tokenLevelRoutesTokensOnTheirOwn() throws IOException {
        int length = 1 + 16 + 10;
        try (NDManager manager = NDManager.newBaseManager()) {
            Set<String> all = new HashSet<>();
            for (Map<String, RoutingDecision> block : captionDecisions("token", manager)) {
                all.addAll(choices(block.get("mlp.fc1"), length, 0, 0, length));
            }
            assertNotEquals(1, all.size(), "token routing gives tokens different experts");
        }
    }
}
