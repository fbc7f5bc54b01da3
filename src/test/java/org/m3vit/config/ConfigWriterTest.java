package org.m3vit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.m3vit.moe.GateType;
import org.m3vit.moe.RoutingConditions;

/** The canonical YAML reads back to an equal config, for every shipped config and every gate and routing. */
class ConfigWriterTest {

    @Test
    void everyShippedModelConfigRoundTrips() throws IOException {
        try (Stream<Path> s = Files.walk(Path.of("configs"))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".yml")
                            && !p.startsWith("configs/hardware")
                            && !p.startsWith("configs/generalist"))
                    .toList();
            assertTrue(files.size() >= 9, "configs: " + files);
            for (Path p : files) {
                ModelConfig c = ConfigLoader.load(p);
                ModelConfig back = ConfigLoader.parse(ConfigWriter.yaml(c), Map.of());
                assertNull(ConfigWriter.firstDifference(c, back), p.toString());
                assertEquals(ConfigWriter.hash(c), ConfigWriter.hash(back), p.toString());
                assertEquals(c.toString(), back.toString(), p.toString());
            }
        }
    }

    @Test
    void everyGateAndRoutingConditionRoundTrips() throws IOException {
        Path file = Path.of("configs/synth/vit_moe/tiny_pascal.yml");
        for (GateType g : GateType.values()) {
            for (String r : RoutingConditions.ids()) {
                boolean taskConditioned = r.equals("task_conditioned");
                ModelConfig c = ConfigLoader.load(
                        file,
                        Map.of(
                                "backbone_kwargs.moe_gate_type",
                                g.id(),
                                "backbone_kwargs.moe_routing",
                                r,
                                "backbone_kwargs.multi_gate",
                                !taskConditioned,
                                "backbone_kwargs.gate_task_specific_dim",
                                taskConditioned ? 8 : -1,
                                "backbone_kwargs.moe_dispatch",
                                "dense",
                                "backbone_kwargs.moe_capacity_factor",
                                1.5));
                assertEquals(r, c.routing());
                assertEquals(g, c.moe().gate());
                assertEquals("dense", c.moe().dispatch());
                ModelConfig back = ConfigLoader.parse(ConfigWriter.yaml(c), Map.of());
                assertNull(ConfigWriter.firstDifference(c, back), g + "/" + r);
            }
        }
    }

    @Test
    void theFirstDifferenceIsNamed() throws IOException {
        ModelConfig a = ConfigLoader.load(Path.of("configs/synth/vit_moe/tiny_pascal.yml"));
        ModelConfig b = ConfigLoader.load(
                Path.of("configs/synth/vit_moe/tiny_pascal.yml"),
                Map.of("head_kwargs.channels", 8, "backbone_kwargs.moe_top_k", 1));
        ConfigWriter.Difference d = ConfigWriter.firstDifference(a, b);
        assertEquals("backbone_kwargs.moe_top_k", d.key(), "canonical order: backbone before head");
        assertEquals(2, d.first());
        assertEquals(1, d.second());
        assertNotEquals(ConfigWriter.hash(a), ConfigWriter.hash(b));
    }
}
