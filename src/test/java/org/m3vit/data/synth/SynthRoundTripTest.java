package org.m3vit.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.HumanParts;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.data.Split;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.dense.EdgeMaps;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Struct;

/**
 * Synthesises small datasets in both layouts, reads them back through the real readers and compares
 * every task with the ground truth taken directly from the renderer (the scene's surfaces), which is an
 * independent path: the files, formats and reader mappings are what is under test.
 */
class SynthRoundTripTest {

    static final int H = 40;
    static final int W = 56;
    static final long SEED = 7;

    @TempDir
    static Path tmp;

    static Path nyud;
    static Path pascal;

    @BeforeAll
    static void generate() throws Exception {
        nyud = tmp.resolve("NYUD_MT");
        pascal = tmp.resolve("PASCAL_MT");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.NYUD, 6, H, W, SEED, 0.34, 2), nyud, i -> {});
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 12, H, W, SEED, 0.25, 2), pascal, i -> {});
    }

    private static Frame frame(DatasetLayout layout, String id) {
        return Synthesizer.render(layout, SEED, Integer.parseInt(id), H, W);
    }

    private static Scene scene(DatasetLayout layout, String id) {
        return Synthesizer.scene(layout, SEED, Integer.parseInt(id));
    }

    @Test
    void splitsPartitionAllImages() throws Exception {
        MultiTaskReader train = MultiTaskReader.open(DatasetLayout.PASCAL, pascal, Split.TRAIN);
        MultiTaskReader val = MultiTaskReader.open(DatasetLayout.PASCAL, pascal, Split.VAL);
        assertEquals(9, train.size());
        assertEquals(3, val.size());
        Set<String> all = new TreeSet<>(train.ids());
        all.addAll(val.ids());
        assertEquals(12, all.size());
        assertEquals(
                2, MultiTaskReader.open(DatasetLayout.NYUD, nyud, Split.VAL).size());
        assertEquals(21, train.classes(Task.SEMSEG));
        assertEquals(7, train.classes(Task.HUMAN_PARTS));
        assertEquals(
                40, MultiTaskReader.open(DatasetLayout.NYUD, nyud, Split.VAL).classes(Task.SEMSEG));
        assertEquals(DatasetLayout.PASCAL.tasks(), train.tasks());
    }

    @Test
    void nyudEveryTaskMatchesTheRenderer() throws Exception {
        for (Split split : Split.values()) {
            MultiTaskReader r = MultiTaskReader.open(DatasetLayout.NYUD, nyud, split);
            for (int i = 0; i < r.size(); i++) {
                RawSample s = r.read(i);
                Frame f = frame(DatasetLayout.NYUD, s.id());
                Scene sc = scene(DatasetLayout.NYUD, s.id());
                assertEquals(H, s.height());
                assertEquals(W, s.width());
                float[] seg = s.target(Task.SEMSEG);
                float[] depth = s.target(Task.DEPTH);
                float[] normals = s.target(Task.NORMALS);
                double[] nyuLabels = new double[H * W];
                double jpegError = 0;
                for (int p = 0; p < H * W; p++) {
                    SceneClass cls = sc.surfaces.get(f.surface[p]).cls;
                    nyuLabels[p] = cls.nyud();
                    int expected = cls.nyud() == 0 ? Task.IGNORE : cls.nyud() - 1;
                    assertEquals(expected, (int) seg[p], "semseg at " + p + " of " + s.id());
                    assertTrue(seg[p] == Task.IGNORE || (seg[p] >= 0 && seg[p] <= 39));
                    if (cls.depthValid()) {
                        assertEquals(f.depth[p], depth[p], 0f, "depth is stored exactly (float32)");
                        assertTrue(depth[p] > 0.05 && depth[p] < 12, "depth within the room: " + depth[p]);
                        double len = 0;
                        for (int c = 0; c < 3; c++) {
                            assertEquals(f.normals[3 * p + c], normals[3 * p + c], 0f);
                            len += normals[3 * p + c] * normals[3 * p + c];
                        }
                        assertEquals(1.0, Math.sqrt(len), 1e-5);
                        // Visible surfaces face the viewing ray: in the camera frame (z towards the viewer) the
                        // ray through pixel (y, x) is (sx, sy, -1), so n · ray <= 0.
                        double tanX = sc.camera.tanHalfFovX;
                        double sx = (2 * ((p % W) + 0.5) / W - 1) * tanX;
                        double sy = (1 - 2 * ((p / W) + 0.5) / H) * tanX * H / W;
                        double dot = normals[3 * p] * sx + normals[3 * p + 1] * sy - normals[3 * p + 2];
                        assertTrue(dot <= 1e-4, "normal faces the viewing ray, n·d = " + dot);
                    } else {
                        assertEquals(0f, depth[p], "windows have no depth");
                        assertEquals(0f, normals[3 * p] * normals[3 * p] + normals[3 * p + 2] * normals[3 * p + 2]);
                    }
                    for (int c = 0; c < 3; c++) {
                        jpegError += Math.abs(s.image()[3 * p + c] - (f.rgb[3 * p + c] & 0xff));
                    }
                }
                assertTrue(
                        jpegError / (3.0 * H * W) < 6,
                        "JPEG q95 stays close to the render, mean abs " + jpegError / (3.0 * H * W));
                float[] edge = s.target(Task.EDGE);
                float[] expectedEdge = EdgeMaps.fromLabels(nyuLabels, H, W);
                for (int p = 0; p < H * W; p++) {
                    assertEquals(expectedEdge[p], edge[p], 0f);
                }
            }
        }
    }

    @Test
    void nyudFloorIsBelowTheCameraAndDepthGrowsTowardsTheHorizon() throws Exception {
        // Known geometry: floor pixels have normals pointing up in camera frame (y > 0 for a camera pitched
        // down by 5..25 degrees) and, along a column, floor depth decreases towards the image bottom.
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.NYUD, nyud, Split.TRAIN);
        int floorPixels = 0;
        for (int i = 0; i < r.size(); i++) {
            RawSample s = r.read(i);
            float[] seg = s.target(Task.SEMSEG);
            float[] n = s.target(Task.NORMALS);
            float[] d = s.target(Task.DEPTH);
            for (int x = 0; x < W; x++) {
                float previous = Float.MAX_VALUE;
                for (int y = 0; y < H; y++) {
                    int p = y * W + x;
                    if (seg[p] != SceneClass.FLOOR.nyud() - 1) {
                        previous = Float.MAX_VALUE;
                        continue;
                    }
                    floorPixels++;
                    double cosPitch = n[3 * p + 1];
                    assertTrue(
                            cosPitch > Math.cos(Math.toRadians(26)) - 1e-4,
                            "floor normal y = cos(pitch), got " + cosPitch);
                    if (previous != Float.MAX_VALUE) {
                        assertTrue(d[p] <= previous + 1e-5, "floor depth shrinks going down the image");
                    }
                    previous = d[p];
                }
            }
        }
        assertTrue(floorPixels > 100, "the floor is visible");
    }

    @Test
    void pascalEveryTaskMatchesTheRenderer() throws Exception {
        int withPeople = 0;
        int partPixels = 0;
        int maskedNormals = 0;
        for (Split split : Split.values()) {
            MultiTaskReader r = MultiTaskReader.open(DatasetLayout.PASCAL, pascal, split);
            for (int i = 0; i < r.size(); i++) {
                RawSample s = r.read(i);
                Frame f = frame(DatasetLayout.PASCAL, s.id());
                Scene sc = scene(DatasetLayout.PASCAL, s.id());
                float[] seg = s.target(Task.SEMSEG);
                float[] hp = s.target(Task.HUMAN_PARTS);
                float[] sal = s.target(Task.SAL);
                float[] nrm = s.target(Task.NORMALS);
                float[] edge = s.target(Task.EDGE);
                double[] context = new double[H * W];
                boolean person = false;
                for (int p = 0; p < H * W; p++) {
                    Surface surf = sc.surfaces.get(f.surface[p]);
                    context[p] = surf.cls.context();
                    assertEquals(surf.cls.voc(), (int) seg[p], "VOC label");
                    assertEquals(surf.cls.salient() ? 1f : 0f, sal[p], "saliency");
                    int group = surf.partName == null ? 0 : HumanParts.group(surf.partName);
                    assertEquals(group, (int) hp[p], "human part at " + p + " (" + surf.partName + ")");
                    if (group > 0) {
                        person = true;
                        partPixels++;
                    }
                    if (surf.cls.normalsValid()) {
                        double len = 0;
                        for (int c = 0; c < 3; c++) {
                            // 8-bit PNG: n = 2v/255 - 1 is within one quantisation step of the true value.
                            assertEquals(f.normals[3 * p + c], nrm[3 * p + c], 1.0 / 255 + 1e-6);
                            len += nrm[3 * p + c] * nrm[3 * p + c];
                        }
                        assertEquals(1.0, Math.sqrt(len), 0.01);
                    } else {
                        maskedNormals++;
                        assertEquals(0f, nrm[3 * p]);
                        assertEquals(0f, nrm[3 * p + 1]);
                        assertEquals(0f, nrm[3 * p + 2]);
                    }
                }
                withPeople += person ? 1 : 0;
                float[] expectedEdge = EdgeMaps.fromLabels(context, H, W);
                int edges = 0;
                for (int p = 0; p < H * W; p++) {
                    assertEquals(expectedEdge[p], edge[p], 0f);
                    edges += edge[p] == 1f ? 1 : 0;
                }
                assertTrue(edges > 0, "every room has semantic boundaries");
            }
        }
        assertTrue(withPeople >= 6, "people in a good fraction of PASCAL images: " + withPeople + "/12");
        assertTrue(partPixels > 200, "human parts have positives");
        System.out.println("pascal round trip: people in " + withPeople + "/12 images, " + partPixels + " part pixels, "
                + maskedNormals + " normals masked by class");
    }

    @Test
    void partsMatFileListsPersonPartsWithRealPascalPartNames() throws Exception {
        // Read one anno struct with MFL directly and check the layout the reference indexes into.
        for (String id : List.of("000000", "000001", "000002", "000003", "000004")) {
            try (Mat5File mat = Mat5.readFromFile(
                    pascal.resolve("human_parts").resolve(id + ".mat").toFile())) {
                Struct anno = mat.getStruct("anno");
                assertEquals(List.of("imname", "objects"), anno.getFieldNames());
                assertEquals(id, anno.getChar("imname").getString());
                Array objects = anno.get("objects");
                if (!(objects instanceof Struct)) {
                    continue;
                }
                Struct o = (Struct) objects;
                assertEquals(List.of("class", "class_ind", "mask", "parts"), o.getFieldNames());
                for (int k = 0; k < o.getNumElements(); k++) {
                    int cls = (int) o.getMatrix("class_ind", k).getDouble(0);
                    String name = o.getChar("class", k).getString();
                    assertEquals(
                            Map.of(
                                            5,
                                            "bottle",
                                            9,
                                            "chair",
                                            11,
                                            "diningtable",
                                            15,
                                            "person",
                                            16,
                                            "pottedplant",
                                            18,
                                            "sofa",
                                            20,
                                            "tvmonitor")
                                    .get(cls),
                            name,
                            "VOC name of class " + cls);
                    assertTrue(cls >= 1 && cls <= 20, "objects are VOC objects");
                    Array parts = o.get("parts", k);
                    if (cls != HumanParts.PERSON_CLASS) {
                        assertEquals(0, parts.getNumElements(), "only people have parts");
                        continue;
                    }
                    Struct ps = (Struct) parts;
                    for (int j = 0; j < ps.getNumElements(); j++) {
                        String part = ps.getChar("part_name", j).getString();
                        assertTrue(HumanParts.group(part) > 0, "real PASCAL-Part name: " + part);
                        assertEquals(H, ps.getMatrix("mask", j).getNumRows());
                        assertEquals(W, ps.getMatrix("mask", j).getNumCols());
                    }
                }
            }
        }
        assertTrue(Files.isRegularFile(pascal.resolve("normals_valid_classes.txt")));
    }
}
