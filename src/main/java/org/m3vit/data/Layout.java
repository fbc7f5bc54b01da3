package org.m3vit.data;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The two on-disk dataset layouts of the M³ViT reference, with the tasks and class counts each provides. */
public enum Layout {
    /** NYUD_MT: semseg (40 classes) and depth, plus normals and edges. */
    NYUD(EnumSet.of(Task.SEMSEG, Task.DEPTH, Task.NORMALS, Task.EDGE), 40, 480, 640),
    /** PASCAL_MT (PASCAL-Context): semseg (21 classes), human parts, saliency, normals, edges. */
    PASCAL(EnumSet.of(Task.SEMSEG, Task.HUMAN_PARTS, Task.SAL, Task.NORMALS, Task.EDGE), 21, 512, 512);

    private final Set<Task> tasks;
    private final int semsegClasses;
    private final int height;
    private final int width;

    Layout(Set<Task> tasks, int semsegClasses, int height, int width) {
        this.tasks = Collections.unmodifiableSet(tasks);
        this.semsegClasses = semsegClasses;
        this.height = height;
        this.width = width;
    }

    /** Tasks whose ground truth this layout stores. */
    public Set<Task> tasks() {
        return tasks;
    }

    /** Number of classes of a classification task (semseg, human parts); 1 for the others. */
    public int classes(Task task) {
        switch (task) {
            case SEMSEG:
                return semsegClasses;
            case HUMAN_PARTS:
                return Task.HUMAN_PART_CLASSES;
            default:
                return 1;
        }
    }

    /** The reference's train/test resolution (PASCAL 512×512, NYUD 480×640). */
    public int defaultHeight() {
        return height;
    }

    public int defaultWidth() {
        return width;
    }

    public static Layout parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown layout '" + s + "'; expected nyud or pascal");
        }
    }
}
