package org.m3vit.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/**
 * NYUD_MT reader ({@code data/nyud.py} semantics): {@code images/<id>.jpg}, {@code gt_sets/<split>.txt},
 * {@code segmentation/<id>.png} (0 → 255 ignore, 1..40 → 0..39), {@code depth/<id>.npy} (metres, 0 =
 * invalid), {@code normals/<id>.npy} (H, W, 3) and {@code edge/<id>.npy}.
 */
public final class NyudReader extends MultiTaskReader {

    public NyudReader(Path root, Split split, Set<Task> tasks) throws IOException {
        super(root, split, tasks, root.resolve("gt_sets").resolve(split.fileName()));
    }

    @Override
    public DatasetLayout layout() {
        return DatasetLayout.NYUD;
    }

    @Override
    protected List<Path> requiredFiles(String id) {
        return List.of(
                image(id),
                root.resolve("segmentation").resolve(id + ".png"),
                root.resolve("depth").resolve(id + ".npy"),
                root.resolve("normals").resolve(id + ".npy"),
                root.resolve("edge").resolve(id + ".npy"));
    }

    private Path image(String id) {
        return root.resolve("images").resolve(id + ".jpg");
    }

    @Override
    public RawSample read(int index) throws IOException {
        String id = id(index);
        ImageFiles.Pixels img = ImageFiles.readRgb(image(id));
        int h = img.height;
        int w = img.width;
        Map<Task, float[]> t = new EnumMap<>(Task.class);
        if (tasks().contains(Task.SEMSEG)) {
            Path f = root.resolve("segmentation").resolve(id + ".png");
            ImageFiles.Pixels seg = ImageFiles.readIndexed(f);
            requireSize(f, seg, h, w);
            float[] labels = seg.data;
            for (int i = 0; i < labels.length; i++) {
                int v = (int) labels[i];
                if (v > 40) {
                    throw new IllegalArgumentException(
                            f + ": label " + v + " out of range (expected 0 = unlabelled or 1..40)");
                }
                labels[i] = v == 0 ? Task.IGNORE : v - 1;
            }
            t.put(Task.SEMSEG, labels);
        }
        if (tasks().contains(Task.DEPTH)) {
            Path f = root.resolve("depth").resolve(id + ".npy");
            float[] d = requireShape(f, NpyFiles.read(f), h, w, 1);
            for (float v : d) {
                if (v < 0) {
                    throw new IllegalArgumentException(f + ": negative depth " + v);
                }
            }
            t.put(Task.DEPTH, d);
        }
        if (tasks().contains(Task.NORMALS)) {
            Path f = root.resolve("normals").resolve(id + ".npy");
            t.put(Task.NORMALS, requireShape(f, NpyFiles.read(f), h, w, 3));
        }
        if (tasks().contains(Task.EDGE)) {
            Path f = root.resolve("edge").resolve(id + ".npy");
            t.put(Task.EDGE, requireShape(f, NpyFiles.read(f), h, w, 1));
        }
        return new RawSample(id, h, w, img.data, t);
    }
}
