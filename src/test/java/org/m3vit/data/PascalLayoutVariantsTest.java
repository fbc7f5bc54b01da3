package org.m3vit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/** Dataset variants the reference accepts: semseg under semseg/pascal-context, no normals class list. */
class PascalLayoutVariantsTest {

    @TempDir
    Path tmp;

    @Test
    void semsegFallsBackToPascalContextDirectory() throws Exception {
        Path root = tmp.resolve("p");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 3, 20, 24, 8, 0, 1), root, i -> {});
        MultiTaskReader voc = MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN, EnumSet.of(Task.SEMSEG));
        float[][] expected = new float[3][];
        for (int i = 0; i < 3; i++) {
            expected[i] = voc.read(i).target(Task.SEMSEG);
        }
        Files.move(root.resolve("semseg/VOC12"), root.resolve("semseg/pascal-context"));
        MultiTaskReader ctx = MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN, EnumSet.of(Task.SEMSEG));
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(expected[i], ctx.read(i).target(Task.SEMSEG));
        }
    }

    @Test
    void withoutTheClassListNoNormalsAreMaskedAndAllAreUnitLength() throws Exception {
        Path root = tmp.resolve("q");
        // Enough images that a potted plant (the class outside the list) is visible somewhere.
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 16, 24, 24, 4, 0, 2), root, i -> {});
        MultiTaskReader masked =
                MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN, EnumSet.of(Task.NORMALS));
        int zeroWithList = 0;
        float[][] before = new float[16][];
        for (int i = 0; i < 16; i++) {
            before[i] = masked.read(i).target(Task.NORMALS);
            for (int p = 0; p < before[i].length; p += 3) {
                zeroWithList += before[i][p] == 0 && before[i][p + 1] == 0 && before[i][p + 2] == 0 ? 1 : 0;
            }
        }
        assertTrue(zeroWithList > 0, "the potted plant's normals are masked with the list");
        Files.delete(root.resolve(PascalReader.NORMALS_VALID_FILE));
        MultiTaskReader unmasked =
                MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN, EnumSet.of(Task.NORMALS));
        for (int i = 0; i < 16; i++) {
            float[] n = unmasked.read(i).target(Task.NORMALS);
            for (int p = 0; p < n.length; p += 3) {
                double len = Math.sqrt(n[p] * n[p] + n[p + 1] * n[p + 1] + n[p + 2] * n[p + 2]);
                assertEquals(1.0, len, 0.01, "every pixel keeps its distilled normal");
                if (before[i][p] != 0 || before[i][p + 1] != 0 || before[i][p + 2] != 0) {
                    assertEquals(before[i][p], n[p]);
                }
            }
        }
        try (Stream<Path> s = Files.list(root)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void malformedClassListNamesFileAndLine() throws Exception {
        Path root = tmp.resolve("r");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 1, 16, 16, 1, 0, 1), root, i -> {});
        Path list = root.resolve(PascalReader.NORMALS_VALID_FILE);
        Files.writeString(list, "# ids\n12\nwall\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN));
        assertTrue(e.getMessage().contains(list.toString()) && e.getMessage().contains("line 3"), e.getMessage());
    }
}
