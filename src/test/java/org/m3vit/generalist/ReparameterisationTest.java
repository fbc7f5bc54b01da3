package org.m3vit.generalist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.model.Reparameterisation;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.task.ImageClassificationAccess;

/**
 * Merged experts (Σ g·W, Σ g·b once per layer and condition) give the routed model's outputs within 1e-5,
 * for every content-independent routing level and every sequence layout, and are computed once.
 */
@ExtendWith(OneThread.class)
class ReparameterisationTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void corpus() throws IOException {
        GeneralistFixtures.corpus(data, 24, 8, 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"attribute", "modality", "task"})
    void mergedEqualsRouted(String level) throws IOException {
        GeneralistConfig config = GeneralistFixtures.tiny("model.moe.routing", level, "model.moe.layers", "all");
        try (NDManager manager = NDManager.newBaseManager();
                GeneralistFixtures.Setup s = GeneralistFixtures.setup(config, data, manager)) {
            SequenceEncoder routed = s.context().encoder();
            SequenceEncoder merged = s.merged(manager);
            assertNotNull(merged, level + " routing merges");
            MultimodalCorpus c = s.corpus();
            MultimodalCorpus.Split split = MultimodalCorpus.Split.TRAIN;
            int[] items = {0, 1, 2, 3};
            NDArray images = ImageClassificationAccess.images(manager, c, split, items);
            List<int[]> texts = new ArrayList<>();
            for (int i : items) {
                texts.add(c.images(split).get(i).tokens());
            }
            List<Function<SequenceEncoder, GeneralistModel.Encoded>> layouts = List.of(
                    e -> e.visual(images, GeneralistModel.INPUT, Attributes.VISUAL_INPUT, 0, false),
                    e -> e.text(manager, texts, GeneralistModel.TARGET, Attributes.VISUAL_TASK_TEXT_TARGET, 2, false),
                    e -> e.caption(manager, images, texts, new int[] {0, 1, 2, 3, 4}, 4, false));
            for (var layout : layouts) {
                NDArray a = layout.apply(routed).hidden();
                NDArray b = layout.apply(merged).hidden();
                float diff = a.sub(b).abs().max().getFloat();
                float scale = a.abs().max().getFloat();
                assertTrue(diff <= 1e-5f * Math.max(1, scale), level + ": max |merged − routed| = " + diff);
            }
        }
    }

    @Test
    void mergesOncePerLayerAndCondition() throws IOException {
        GeneralistConfig config = GeneralistFixtures.tiny();
        try (NDManager manager = NDManager.newBaseManager();
                GeneralistFixtures.Setup s = GeneralistFixtures.setup(config, data, manager)) {
            Reparameterisation r = Reparameterisation.of(s.model(), manager);
            SequenceEncoder merged =
                    new SequenceEncoder(s.model(), s.ps(), s.tokenizer().speId(), 0, r);
            int[] items = {0, 1};
            NDArray images = ImageClassificationAccess.images(manager, s.corpus(), MultimodalCorpus.Split.TRAIN, items);
            merged.visual(images, GeneralistModel.INPUT, Attributes.VISUAL_INPUT, 0, false);
            // one MoE block: qkv, proj, fc1, fc2 for the one visual-input condition
            assertEquals(4, r.cached());
            merged.visual(images, GeneralistModel.INPUT, Attributes.VISUAL_INPUT, 1, false);
            assertEquals(4, r.cached(), "video input has the image's attribute row: nothing new to merge");
            merged.caption(manager, images, List.of(new int[] {4}, new int[] {5}), new int[] {0, 1}, 4, false);
            assertEquals(12, r.cached(), "a caption sequence has two more conditions");
        }
    }

    @Test
    void tokenAndContextRoutingAndTheDenseModelHaveNothingToMerge() throws IOException {
        for (Object[] o : new Object[][] {
            {"model.moe.routing", "token"}, {"model.moe.routing", "context"}, {"model.moe.enabled", false}
        }) {
            try (NDManager manager = NDManager.newBaseManager();
                    GeneralistFixtures.Setup s = GeneralistFixtures.setup(GeneralistFixtures.tiny(o), data, manager)) {
                assertNull(Reparameterisation.of(s.model(), manager), o[0] + "=" + o[1]);
            }
        }
    }
}
