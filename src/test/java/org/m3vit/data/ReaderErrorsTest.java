package org.m3vit.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Sinks;
import us.hebi.matlab.mat.types.Struct;

/** Broken datasets fail with a message that names the file and what is wrong. */
class ReaderErrorsTest {

    static final int H = 16;
    static final int W = 20;

    @TempDir
    Path tmp;

    private Path synth(DatasetLayout layout) throws Exception {
        Path root = tmp.resolve(layout.name());
        // val fraction 0 → all images in train.txt
        Synthesizer.run(new Synthesizer.Options(layout, 2, H, W, 3, 0, 1), root, i -> {});
        return root;
    }

    private static void expect(Executable call, Path file, String what) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(file.toString()), "message names " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(what), "message says '" + what + "': " + e.getMessage());
    }

    @Test
    void missingFileIsReportedWhenOpening() throws Exception {
        Path root = synth(DatasetLayout.NYUD);
        Path depth = root.resolve("depth/000001.npy");
        Files.delete(depth);
        expect(() -> MultiTaskReader.open(DatasetLayout.NYUD, root, Split.TRAIN), depth, "file not found");
        Path split = root.resolve("gt_sets/val.txt");
        Files.delete(split);
        expect(() -> MultiTaskReader.open(DatasetLayout.NYUD, root, Split.VAL), split, "split file not found");
        Path notRoot = tmp.resolve("nothing-here");
        expect(() -> MultiTaskReader.open(DatasetLayout.PASCAL, notRoot, Split.TRAIN), notRoot, "not a directory");
    }

    @Test
    void malformedPngAndJpeg() throws Exception {
        Path root = synth(DatasetLayout.NYUD);
        Path seg = root.resolve("segmentation/000000.png");
        Files.write(seg, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H'});
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.NYUD, root, Split.TRAIN);
        expect(() -> r.read(0), seg, "malformed image");
        Path img = root.resolve("images/000001.jpg");
        Files.write(img, "not a jpeg at all".getBytes());
        expect(() -> r.read(1), img, "not a readable JPEG/PNG image");
    }

    @Test
    void badNpyContentAndShapes() throws Exception {
        Path root = synth(DatasetLayout.NYUD);
        Path depth = root.resolve("depth/000000.npy");
        // Big-endian copy of a valid depth map: must be refused before any value is interpreted.
        ByteBuffer be = ByteBuffer.allocate(H * W * 4).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < H * W; i++) {
            be.putFloat(2f);
        }
        byte[] header = NpyFiles.encodeFloat32(new int[] {H, W}, new float[H * W]);
        byte[] bytes = Arrays.copyOf(header, header.length);
        String text = new String(bytes, 0, 64, StandardCharsets.ISO_8859_1).replace("<f4", ">f4");
        System.arraycopy(text.getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 0, 64);
        System.arraycopy(be.array(), 0, bytes, header.length - H * W * 4, H * W * 4);
        Files.write(depth, bytes);
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.NYUD, root, Split.TRAIN);
        expect(() -> r.read(0), depth, "big-endian");
        Path normals = root.resolve("normals/000001.npy");
        NpyFiles.writeFloat32(normals, new int[] {H, W}, new float[H * W]);
        expect(() -> r.read(1), normals, "does not match the image; expected (" + H + ", " + W + ", 3)");
    }

    @Test
    void labelsOutOfRangeAndColourLabelMaps() throws Exception {
        Path root = synth(DatasetLayout.NYUD);
        Path seg = root.resolve("segmentation/000000.png");
        byte[] labels = new byte[H * W];
        labels[7] = 41;
        Files.write(seg, ImageFiles.grayPng(H, W, labels));
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.NYUD, root, Split.TRAIN);
        expect(() -> r.read(0), seg, "label 41 out of range");
        Files.write(seg, ImageFiles.rgbPng(H, W, new byte[H * W * 3]));
        expect(() -> r.read(0), seg, "single-channel");
    }

    @Test
    void malformedMatFiles() throws Exception {
        Path root = synth(DatasetLayout.PASCAL);
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN);
        Path ctx = root.resolve("pascal-context/trainval/000000.mat");
        Files.write(ctx, "MATLAB 5.0 MAT-file, but then garbage".getBytes());
        expect(() -> r.read(0), ctx, "not a readable MAT v5 file");
        writeMat(ctx, Mat5.newMatFile().addArray("Labels", Mat5.newMatrix(H, W)));
        expect(() -> r.read(0), ctx, "no variable 'LabelMap'");
        writeMat(ctx, Mat5.newMatFile().addArray("LabelMap", Mat5.newMatrix(H, W + 1)));
        expect(() -> r.read(0), ctx, "LabelMap is " + H + "x" + (W + 1));

        Path parts = root.resolve("human_parts/000001.mat");
        Struct anno = Mat5.newStruct(1, 1);
        anno.set("imname", Mat5.newString("000001"));
        Struct objects = Mat5.newStruct(1, 1);
        objects.set("class", 0, Mat5.newString("person"));
        objects.set("class_ind", 0, Mat5.newScalar(15));
        objects.set("mask", 0, Mat5.newMatrix(H, W));
        Struct ps = Mat5.newStruct(1, 1);
        ps.set("part_name", 0, Mat5.newString("tail"));
        Matrix mask = Mat5.newMatrix(H, W);
        mask.setDouble(1, 1, 1);
        ps.set("mask", 0, mask);
        objects.set("parts", 0, ps);
        anno.set("objects", objects);
        writeMat(parts, Mat5.newMatFile().addArray("anno", anno));
        expect(() -> r.read(1), parts, "unknown person part name 'tail'");
    }

    @Test
    void handWrittenAnnoIsReadLikeTheReference() throws Exception {
        // Two people: the first has 'ruarm' (upper arm = 3) and 'lfoot' (lower leg = 6); a chair (class 9)
        // with parts would be ignored; the second person has 'hair' (head = 1) overlapping the first's arm.
        Path root = synth(DatasetLayout.PASCAL);
        Path parts = root.resolve("human_parts/000000.mat");
        Struct anno = Mat5.newStruct(1, 1);
        anno.set("imname", Mat5.newString("000000"));
        Struct objects = Mat5.newStruct(1, 3);
        String[][] names = {{"ruarm", "lfoot"}, {"torso"}, {"hair"}};
        int[] classes = {15, 9, 15};
        int[][][] pixels = {{{2, 3}, {10, 4}}, {{5, 5}}, {{2, 3}}};
        for (int o = 0; o < 3; o++) {
            objects.set("class", o, Mat5.newString(classes[o] == 15 ? "person" : "chair"));
            objects.set("class_ind", o, Mat5.newScalar(classes[o]));
            objects.set("mask", o, Mat5.newMatrix(H, W));
            Struct ps = Mat5.newStruct(1, names[o].length);
            for (int j = 0; j < names[o].length; j++) {
                ps.set("part_name", j, Mat5.newString(names[o][j]));
                Matrix m = Mat5.newMatrix(H, W);
                m.setDouble(pixels[o][j][0], pixels[o][j][1], 1);
                ps.set("mask", j, m);
            }
            objects.set("parts", o, ps);
        }
        anno.set("objects", objects);
        writeMat(parts, Mat5.newMatFile().addArray("anno", anno));
        float[] hp = MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN, EnumSet.of(Task.HUMAN_PARTS))
                .read(0)
                .target(Task.HUMAN_PARTS);
        float[] expected = new float[H * W];
        expected[2 * W + 3] =
                1; // later person's hair overwrites the first person's upper arm, as in the reference loop
        expected[10 * W + 4] = 6;
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, hp);
    }

    @Test
    void tasksOutsideTheLayoutAreRefused() throws Exception {
        Path root = synth(DatasetLayout.PASCAL);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN, EnumSet.of(Task.DEPTH)));
        assertTrue(e.getMessage().contains("no depth"), e.getMessage());
    }

    private static void writeMat(Path file, MatFile mat) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate((int) mat.getUncompressedSerializedSize() + 1024);
        mat.writeTo(Sinks.wrap(buf));
        Files.write(file, Arrays.copyOf(buf.array(), buf.position()));
    }
}
