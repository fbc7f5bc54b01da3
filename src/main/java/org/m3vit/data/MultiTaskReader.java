package org.m3vit.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyArray;
import org.m3vit.io.OutputPaths;
import org.m3vit.io.TextFiles;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/**
 * Reads the samples of one split of a multi-task dataset root in its on-disk layout. Construction checks
 * that the split list exists and that every file of every listed sample exists (as the reference
 * asserts), so a broken dataset fails at once with the missing file named, not halfway through training.
 * {@link #read(int)} is thread-safe.
 */
public abstract class MultiTaskReader {

    protected final Path root;
    protected final Split split;
    private final List<String> ids;
    private final Set<Task> tasks;

    protected MultiTaskReader(Path root, Split split, Set<Task> tasks, Path splitFile) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + ": dataset root is not a directory");
        }
        for (Task t : tasks) {
            if (!layout().tasks().contains(t)) {
                throw new IllegalArgumentException(
                        layout() + " has no " + t.id() + " ground truth; it provides " + keys(layout().tasks()));
            }
        }
        this.root = root;
        this.split = split;
        this.tasks = Collections.unmodifiableSet(tasks.isEmpty() ? EnumSet.noneOf(Task.class) : EnumSet.copyOf(tasks));
        this.ids = Collections.unmodifiableList(readIds(splitFile));
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            for (Path p : requiredFiles(id)) {
                if (!Files.isRegularFile(p)) {
                    missing.add(p.toString());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(missing.get(0) + ": file not found"
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more missing files)" : "")
                    + " for split " + splitFile);
        }
    }

    /** Opens the reader for a layout. */
    public static MultiTaskReader open(DatasetLayout layout, Path root, Split split, Set<Task> tasks)
            throws IOException {
        return layout == DatasetLayout.NYUD ? new NyudReader(root, split, tasks) : new PascalReader(root, split, tasks);
    }

    /** Opens the reader for all tasks the layout provides. */
    public static MultiTaskReader open(DatasetLayout layout, Path root, Split split) throws IOException {
        return open(layout, root, split, layout.tasks());
    }

    public abstract DatasetLayout layout();

    /** Files that must exist for sample {@code id} (all tasks, like the reference). */
    protected abstract List<Path> requiredFiles(String id);

    /** Reads sample {@code index} of the split: the image and the requested tasks' targets. */
    public abstract RawSample read(int index) throws IOException;

    public List<String> ids() {
        return ids;
    }

    public int size() {
        return ids.size();
    }

    /** Tasks this reader delivers (a subset of the layout's). */
    public Set<Task> tasks() {
        return tasks;
    }

    /** Class count of a classification task (semseg: 21 PASCAL / 40 NYUD; human_parts: 7). */
    public int classes(Task task) {
        return task.spec().classes(layout());
    }

    public Path root() {
        return root;
    }

    protected String id(int index) {
        if (index < 0 || index >= ids.size()) {
            throw new IndexOutOfBoundsException("sample index " + index + " out of range [0, " + ids.size() + ")");
        }
        return ids.get(index);
    }

    /**
     * The ids of a split file, one a line (blank lines skipped). Every id must be a plain file name (no
     * separator, not {@code .} or {@code ..}): ids become file names of the dataset and of saved
     * predictions, so {@code ../../x} would read or write outside them.
     */
    public static List<String> readIds(Path splitFile) throws IOException {
        if (!Files.exists(splitFile)) {
            throw new IllegalArgumentException(splitFile + ": split file not found");
        }
        List<String> out = new ArrayList<>();
        List<String> lines = TextFiles.lines(splitFile);
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).trim();
            if (s.isEmpty()) {
                continue;
            }
            if (!OutputPaths.isPlainName(s)) {
                throw InvalidInputException.file(
                        splitFile,
                        "line " + (i + 1) + ": the id '" + (s.length() > 60 ? s.substring(0, 60) + "…" : s)
                                + "' is not a plain file name (ids may not hold '/', '\\', ':', control"
                                + " characters, or be '.' or '..')");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(splitFile + ": split file lists no images");
        }
        return out;
    }

    static String keys(Set<Task> tasks) {
        List<String> k = new ArrayList<>();
        for (Task t : tasks) {
            k.add(t.id());
        }
        return String.join(", ", k);
    }

    /** Requires a (H, W) or (H, W, channels) array matching the image; returns its data. */
    static float[] requireShape(Path file, NpyArray a, int height, int width, int channels) {
        int[] s = a.shape();
        boolean ok = (s.length == 2 && channels == 1 && s[0] == height && s[1] == width)
                || (s.length == 3 && s[0] == height && s[1] == width && s[2] == channels);
        if (!ok) {
            throw new IllegalArgumentException(
                    file + ": shape " + a.shapeString() + " does not match the image; expected (" + height + ", "
                            + width + (channels == 1 ? ")" : ", " + channels + ")"));
        }
        for (float v : a.data()) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(file + ": contains non-finite values");
            }
        }
        return a.data();
    }

    static void requireSize(Path file, ImageFiles.Pixels p, int height, int width) {
        if (p.height != height || p.width != width) {
            throw new IllegalArgumentException(file + ": size " + p.height + "x" + p.width
                    + " does not match the image (" + height + "x" + width + ")");
        }
    }
}
