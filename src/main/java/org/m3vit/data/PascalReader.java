package org.m3vit.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.TextFiles;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.dense.EdgeMaps;

/**
 * PASCAL_MT reader ({@code data/pascal_context.py} semantics):
 * <ul>
 *   <li>{@code JPEGImages/<id>.jpg}, split list {@code ImageSets/Context/<split>.txt};</li>
 *   <li>semseg: {@code semseg/VOC12/<id>.png} if present, else {@code semseg/pascal-context/<id>.png}; 21 classes, 255 ignore;</li>
 *   <li>human_parts: {@code human_parts/<id>.mat} {@code anno} struct, persons' parts mapped to 6 groups (0 = background);</li>
 *   <li>sal: {@code sal_distill/<id>.png} gray / 255 &gt; 0.5;</li>
 *   <li>normals: {@code normals_distill/<id>.png}, n = 2v/255 − 1, zeroed on context classes outside the
 *       normals-valid list ({@code normals_valid_classes.txt} in the root, one id per line; without that file
 *       no class is masked);</li>
 *   <li>edge: thin(|Laplacian(LabelMap)| &gt; 0) of {@code pascal-context/trainval/<id>.mat}.</li>
 * </ul>
 */
public final class PascalReader extends MultiTaskReader {

    public static final String NORMALS_VALID_FILE = "normals_valid_classes.txt";

    private final Set<Integer> normalsValid;

    public PascalReader(Path root, Split split, Set<Task> tasks) throws IOException {
        super(root, split, tasks, root.resolve("ImageSets/Context").resolve(split.fileName()));
        this.normalsValid = readValidClasses(root.resolve(NORMALS_VALID_FILE));
    }

    private static Set<Integer> readValidClasses(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Set<Integer> out = new HashSet<>();
        int lineNo = 0;
        for (String line : TextFiles.lines(file)) {
            lineNo++;
            String s = line.trim();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            try {
                out.add(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": line " + lineNo + " is not a class id: '" + s + "'");
            }
        }
        return out;
    }

    @Override
    public DatasetLayout layout() {
        return DatasetLayout.PASCAL;
    }

    @Override
    protected List<Path> requiredFiles(String id) {
        return List.of(
                image(id),
                semseg(id),
                labelMap(id),
                root.resolve("human_parts").resolve(id + ".mat"),
                root.resolve("normals_distill").resolve(id + ".png"),
                root.resolve("sal_distill").resolve(id + ".png"));
    }

    private Path image(String id) {
        return root.resolve("JPEGImages").resolve(id + ".jpg");
    }

    private Path semseg(String id) {
        Path voc = root.resolve("semseg/VOC12").resolve(id + ".png");
        return Files.exists(voc) ? voc : root.resolve("semseg/pascal-context").resolve(id + ".png");
    }

    private Path labelMap(String id) {
        return root.resolve("pascal-context/trainval").resolve(id + ".mat");
    }

    @Override
    public RawSample read(int index) throws IOException {
        String id = id(index);
        ImageFiles.Pixels img = ImageFiles.readRgb(image(id));
        int h = img.height;
        int w = img.width;
        Map<Task, float[]> t = new EnumMap<>(Task.class);
        double[] context = null;
        if (tasks().contains(Task.EDGE) || (tasks().contains(Task.NORMALS) && normalsValid != null)) {
            context = MatFiles.readLabelMap(labelMap(id), h, w);
        }
        if (tasks().contains(Task.SEMSEG)) {
            Path f = semseg(id);
            ImageFiles.Pixels seg = ImageFiles.readIndexed(f);
            requireSize(f, seg, h, w);
            for (float v : seg.data) {
                if (v > 20 && v != Task.IGNORE) {
                    throw new IllegalArgumentException(
                            f + ": label " + (int) v + " out of range (expected 0..20 or 255)");
                }
            }
            t.put(Task.SEMSEG, seg.data);
        }
        if (tasks().contains(Task.HUMAN_PARTS)) {
            t.put(
                    Task.HUMAN_PARTS,
                    MatFiles.readHumanParts(root.resolve("human_parts").resolve(id + ".mat"), h, w));
        }
        if (tasks().contains(Task.SAL)) {
            Path f = root.resolve("sal_distill").resolve(id + ".png");
            ImageFiles.Pixels sal = ImageFiles.readGray(f);
            requireSize(f, sal, h, w);
            float[] s = sal.data;
            for (int i = 0; i < s.length; i++) {
                s[i] = s[i] / 255f > 0.5f ? 1f : 0f;
            }
            t.put(Task.SAL, s);
        }
        if (tasks().contains(Task.NORMALS)) {
            Path f = root.resolve("normals_distill").resolve(id + ".png");
            ImageFiles.Pixels nrm = ImageFiles.readRgb(f);
            requireSize(f, nrm, h, w);
            float[] n = nrm.data;
            for (int i = 0; i < n.length; i++) {
                n[i] = 2f * n[i] / 255f - 1f;
            }
            if (normalsValid != null) {
                for (int p = 0; p < h * w; p++) {
                    if (!normalsValid.contains((int) context[p])) {
                        n[3 * p] = 0;
                        n[3 * p + 1] = 0;
                        n[3 * p + 2] = 0;
                    }
                }
            }
            t.put(Task.NORMALS, n);
        }
        if (tasks().contains(Task.EDGE)) {
            t.put(Task.EDGE, EdgeMaps.fromLabels(context, h, w));
        }
        return new RawSample(id, h, w, img.data, t);
    }
}
