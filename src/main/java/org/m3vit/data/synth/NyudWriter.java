package org.m3vit.data.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.task.dense.EdgeMaps;

/**
 * NYUD_MT layout: {@code images/<id>.jpg}, {@code segmentation/<id>.png} (NYU-40 labels 1..40, 0 =
 * unlabelled), {@code depth/<id>.npy} (metres, 0 = invalid), {@code normals/<id>.npy} (H, W, 3),
 * {@code edge/<id>.npy} ({0,1}, the reference's thin(|Laplacian|>0) of the label map) and
 * {@code gt_sets/{train,val}.txt}.
 */
final class NyudWriter implements SceneWriter {

    @Override
    public void prepare(Path root) throws IOException {
        for (String d : new String[] {"images", "segmentation", "depth", "normals", "edge", "gt_sets"}) {
            Files.createDirectories(root.resolve(d));
        }
    }

    @Override
    public void write(Path root, String id, Scene scene, Frame f) throws IOException {
        int h = f.height;
        int w = f.width;
        int n = h * w;
        byte[] seg = new byte[n];
        double[] labels = new double[n];
        float[] depth = new float[n];
        float[] normals = new float[3 * n];
        for (int p = 0; p < n; p++) {
            SceneClass cls = scene.surfaces.get(f.surface[p]).cls;
            seg[p] = (byte) cls.nyud();
            labels[p] = cls.nyud();
            if (cls.depthValid()) {
                depth[p] = f.depth[p];
                normals[3 * p] = f.normals[3 * p];
                normals[3 * p + 1] = f.normals[3 * p + 1];
                normals[3 * p + 2] = f.normals[3 * p + 2];
            }
        }
        // Unsynced atomic writes: regenerable bulk data, and an fsync per file would dominate the run time.
        AtomicFiles.writeUnsynced(root.resolve("images").resolve(id + ".jpg"), ImageFiles.jpeg(h, w, f.rgb, 0.95f));
        AtomicFiles.writeUnsynced(root.resolve("segmentation").resolve(id + ".png"), ImageFiles.grayPng(h, w, seg));
        AtomicFiles.writeUnsynced(
                root.resolve("depth").resolve(id + ".npy"), NpyFiles.encodeFloat32(new int[] {h, w}, depth));
        AtomicFiles.writeUnsynced(
                root.resolve("normals").resolve(id + ".npy"), NpyFiles.encodeFloat32(new int[] {h, w, 3}, normals));
        AtomicFiles.writeUnsynced(
                root.resolve("edge").resolve(id + ".npy"),
                NpyFiles.encodeFloat32(new int[] {h, w}, EdgeMaps.fromLabels(labels, h, w)));
    }

    @Override
    public void finish(Path root, List<String> train, List<String> val) throws IOException {
        writeList(root.resolve("gt_sets").resolve("train.txt"), train);
        writeList(root.resolve("gt_sets").resolve("val.txt"), val);
    }

    static void writeList(Path file, List<String> ids) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String id : ids) {
            b.append(id).append('\n');
        }
        AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
