package org.m3vit.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.m3vit.task.Task;

/**
 * A batch of augmented samples as plain arrays. {@link #toNDList} builds the engine arrays; call it on the
 * training thread (loader threads never touch NDArrays, so grad mode and manager ownership stay simple).
 */
public final class SampleBatch {

    private final List<Sample> samples;
    private final List<Task> tasks;

    public SampleBatch(List<Sample> samples, List<Task> tasks) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int h = samples.get(0).height();
        int w = samples.get(0).width();
        for (Sample s : samples) {
            if (s.height() != h || s.width() != w) {
                throw new IllegalArgumentException("batch mixes sizes " + h + "x" + w + " and " + s.height() + "x"
                        + s.width() + " (sample " + s.id() + ")");
            }
        }
        this.samples = Collections.unmodifiableList(new ArrayList<>(samples));
        this.tasks = Collections.unmodifiableList(new ArrayList<>(tasks));
    }

    /** Canonical task order: the enum order (semseg, human_parts, sal, normals, edge, depth). */
    static List<Task> order(Set<Task> tasks) {
        List<Task> out = new ArrayList<>();
        for (Task t : Task.values()) {
            if (tasks.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    public List<Sample> samples() {
        return samples;
    }

    public List<Task> tasks() {
        return tasks;
    }

    public int size() {
        return samples.size();
    }

    /**
     * [image (B, 3, H, W) float32, then per task in {@link #tasks()}: semseg/human_parts (B, H, W) int64
     * with 255 = ignore; sal/edge/depth (B, 1, H, W) float32; normals (B, 3, H, W) float32]. Each array is
     * named with its task key ("image", "semseg", …).
     */
    public NDList toNDList(NDManager manager) {
        int b = samples.size();
        int h = samples.get(0).height();
        int w = samples.get(0).width();
        int n = h * w;
        NDList out = new NDList();
        FloatBuffer img = FloatBuffer.allocate(b * 3 * n);
        for (Sample s : samples) {
            img.put(s.image());
        }
        img.flip();
        NDArray image = manager.create(img, new Shape(b, 3, h, w));
        image.setName("image");
        out.add(image);
        for (Task t : tasks) {
            NDArray a;
            int channels = t.spec().targetChannels();
            if (t.spec().isClassMap()) {
                LongBuffer buf = LongBuffer.allocate(b * n);
                for (Sample s : samples) {
                    for (int v : s.targets().labels(t)) {
                        buf.put(v);
                    }
                }
                buf.flip();
                a = manager.create(buf, new Shape(b, h, w));
            } else {
                FloatBuffer buf = FloatBuffer.allocate(b * channels * n);
                for (Sample s : samples) {
                    buf.put(s.targets().values(t));
                }
                buf.flip();
                a = manager.create(buf, new Shape(b, channels, h, w));
            }
            a.setName(t.id());
            out.add(a);
        }
        return out;
    }
}
