package org.m3vit.data.synth;

import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.Deflater;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.ImageFiles;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Sinks;
import us.hebi.matlab.mat.types.Struct;

/**
 * PASCAL_MT layout: {@code JPEGImages/<id>.jpg}; {@code semseg/VOC12/<id>.png} (palette PNG, VOC ids);
 * {@code pascal-context/trainval/<id>.mat} ({@code LabelMap}, context ids); {@code human_parts/<id>.mat}
 * (PASCAL-Part {@code anno} struct); {@code normals_distill/<id>.png} (RGB, n = 2v/255 − 1);
 * {@code sal_distill/<id>.png} (gray, 255 = salient); {@code ImageSets/Context/{train,val}.txt}; and
 * {@code normals_valid_classes.txt}, the context ids on which normals are kept.
 */
final class PascalWriter implements SceneWriter {

    static final String NORMALS_VALID_FILE = "normals_valid_classes.txt";
    private static final IndexColorModel PALETTE = ImageFiles.vocPalette();

    @Override
    public void prepare(Path root) throws IOException {
        for (String d : new String[] {
            "JPEGImages",
            "semseg/VOC12",
            "pascal-context/trainval",
            "human_parts",
            "normals_distill",
            "sal_distill",
            "ImageSets/Context"
        }) {
            Files.createDirectories(root.resolve(d));
        }
    }

    @Override
    public void write(Path root, String id, Scene scene, Frame f) throws IOException {
        int h = f.height;
        int w = f.width;
        int n = h * w;
        byte[] voc = new byte[n];
        byte[] sal = new byte[n];
        byte[] normals = new byte[3 * n];
        Matrix labelMap = Mat5.newMatrix(h, w, MatlabType.Double);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                SceneClass cls = scene.surfaces.get(f.surface[p]).cls;
                voc[p] = (byte) cls.voc();
                sal[p] = (byte) (cls.salient() ? 255 : 0);
                labelMap.setDouble(y, x, cls.context());
                for (int c = 0; c < 3; c++) {
                    normals[3 * p + c] = (byte) Math.round((f.normals[3 * p + c] + 1) / 2 * 255);
                }
            }
        }
        // Unsynced atomic writes: regenerable bulk data, and an fsync per file would dominate the run time.
        AtomicFiles.writeUnsynced(root.resolve("JPEGImages").resolve(id + ".jpg"), ImageFiles.jpeg(h, w, f.rgb, 0.95f));
        AtomicFiles.writeUnsynced(
                root.resolve("semseg/VOC12").resolve(id + ".png"), ImageFiles.indexedPng(h, w, voc, PALETTE));
        AtomicFiles.writeUnsynced(root.resolve("sal_distill").resolve(id + ".png"), ImageFiles.grayPng(h, w, sal));
        AtomicFiles.writeUnsynced(
                root.resolve("normals_distill").resolve(id + ".png"), ImageFiles.rgbPng(h, w, normals));
        writeMat(
                root.resolve("pascal-context/trainval").resolve(id + ".mat"),
                newMatFile().addArray("LabelMap", labelMap));
        writeMat(root.resolve("human_parts").resolve(id + ".mat"), newMatFile().addArray("anno", anno(id, scene, f)));
    }

    /**
     * The PASCAL-Part annotation: anno = struct(imname, objects); objects(i) = struct(class, class_ind,
     * mask, parts); parts(j) = struct(part_name, mask). Every visible VOC object is listed; only people
     * have parts.
     */
    private static Struct anno(String id, Scene scene, Frame f) {
        int h = f.height;
        int w = f.width;
        // Visible objects by instance, in order of first appearance, with their part masks.
        Map<Integer, Matrix> instanceMasks = new LinkedHashMap<>();
        Map<Integer, SceneClass> instanceClass = new LinkedHashMap<>();
        Map<Integer, Map<String, Matrix>> partMasks = new LinkedHashMap<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Surface s = scene.surfaces.get(f.surface[y * w + x]);
                if (s.cls.voc() == 0) {
                    continue;
                }
                instanceClass.putIfAbsent(s.instance, s.cls);
                instanceMasks
                        .computeIfAbsent(s.instance, k -> Mat5.newMatrix(h, w, MatlabType.UInt8))
                        .setByte(y, x, (byte) 1);
                if (s.partName != null) {
                    partMasks
                            .computeIfAbsent(s.instance, k -> new LinkedHashMap<>())
                            .computeIfAbsent(s.partName, k -> Mat5.newMatrix(h, w, MatlabType.UInt8))
                            .setByte(y, x, (byte) 1);
                }
            }
        }
        Struct anno = Mat5.newStruct(1, 1);
        anno.set("imname", Mat5.newString(id));
        List<Integer> instances = new ArrayList<>(instanceMasks.keySet());
        Struct objects = Mat5.newStruct(1, instances.size());
        for (int i = 0; i < instances.size(); i++) {
            int inst = instances.get(i);
            SceneClass cls = instanceClass.get(inst);
            objects.set("class", i, Mat5.newString(cls.vocName()));
            objects.set("class_ind", i, Mat5.newScalar(cls.voc()));
            objects.set("mask", i, instanceMasks.get(inst));
            Map<String, Matrix> parts = partMasks.get(inst);
            Array partsArray;
            if (parts == null || parts.isEmpty()) {
                partsArray = Mat5.newMatrix(0, 0);
            } else {
                Struct ps = Mat5.newStruct(1, parts.size());
                int j = 0;
                for (Map.Entry<String, Matrix> e : parts.entrySet()) {
                    ps.set("part_name", j, Mat5.newString(e.getKey()));
                    ps.set("mask", j, e.getValue());
                    j++;
                }
                partsArray = ps;
            }
            objects.set("parts", i, partsArray);
        }
        anno.set("objects", instances.isEmpty() ? Mat5.newMatrix(0, 0) : objects);
        return anno;
    }

    /**
     * A MAT v5 file with a fixed header text. MFL's default header contains the creation time, which made
     * the same seed give different bytes when two runs straddled a second boundary.
     */
    private static Mat5File newMatFile() {
        return new Mat5File(HEADER) {};
    }

    /** Follows the "MATLAB 5.0 MAT-file" that MFL writes first. */
    private static final String HEADER = ", Platform: m3vit, Created by: m3vit synth";

    private static void writeMat(Path file, MatFile mat) throws IOException {
        try (MatFile m = mat) {
            // MFL seeks back to patch compressed-entry sizes, so serialise into a buffer first.
            ByteBuffer buf = ByteBuffer.allocate((int) m.getUncompressedSerializedSize() + 1024);
            // Fast deflate: the masks are mostly zeros, so level 1 is nearly as small and much quicker.
            Mat5.newWriter(Sinks.wrap(buf)).setDeflateLevel(Deflater.BEST_SPEED).writeMat(m);
            byte[] bytes = Arrays.copyOf(buf.array(), buf.position());
            AtomicFiles.writeUnsynced(file, bytes);
        }
    }

    @Override
    public void finish(Path root, List<String> train, List<String> val) throws IOException {
        NyudWriter.writeList(root.resolve("ImageSets/Context/train.txt"), train);
        NyudWriter.writeList(root.resolve("ImageSets/Context/val.txt"), val);
        TreeSet<Integer> valid = new TreeSet<>();
        for (SceneClass c : SceneClass.values()) {
            if (c.normalsValid()) {
                valid.add(c.context());
            }
        }
        StringBuilder b =
                new StringBuilder("# PASCAL-Context class ids on which distilled normals are kept (one per line)\n");
        for (int v : valid) {
            b.append(v).append('\n');
        }
        AtomicFiles.write(root.resolve(NORMALS_VALID_FILE), b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
