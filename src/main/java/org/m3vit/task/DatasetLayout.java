package org.m3vit.task;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The two datasets of the M³ViT reference and their on-disk layouts (NYUD_MT, PASCAL_MT): the tasks
 * each stores, the semseg label set, and the reference resolution. Configs name them as
 * {@code train_db_name} does (NYUD, PASCALContext); the command line as nyud or pascal.
 */
public enum DatasetLayout {
    /** NYUD_MT: semseg (40 classes) and depth, plus normals and edges. */
    NYUD("NYUD", "nyud", EnumSet.of(Task.SEMSEG, Task.DEPTH, Task.NORMALS, Task.EDGE), 40, 480, 640),
    /** PASCAL_MT (PASCAL-Context): semseg (21 classes), human parts, saliency, normals, edges. */
    PASCAL(
            "PASCALContext",
            "pascal",
            EnumSet.of(Task.SEMSEG, Task.HUMAN_PARTS, Task.SAL, Task.NORMALS, Task.EDGE),
            21,
            512,
            512);

    private final String configName;
    private final String shortName;
    private final Set<Task> tasks;
    private final int semsegClasses;
    private final int height;
    private final int width;

    DatasetLayout(String configName, String shortName, Set<Task> tasks, int semsegClasses, int height, int width) {
        this.configName = configName;
        this.shortName = shortName;
        this.tasks = Collections.unmodifiableSet(tasks);
        this.semsegClasses = semsegClasses;
        this.height = height;
        this.width = width;
    }

    /** The name in config files ({@code train_db_name}). */
    public String configName() {
        return configName;
    }

    /** The name on the command line ({@code --layout}, {@code --db}). */
    public String shortName() {
        return shortName;
    }

    public int semsegClasses() {
        return semsegClasses;
    }

    /** Tasks whose ground truth this dataset stores. */
    public Set<Task> tasks() {
        return tasks;
    }

    /** The reference's train/test resolution (PASCAL 512×512, NYUD 480×640). */
    public int defaultHeight() {
        return height;
    }

    public int defaultWidth() {
        return width;
    }

    /** Parses a config name (PASCALContext, NYUD) for the config key {@code key}. */
    public static DatasetLayout parse(String key, String name) {
        for (DatasetLayout d : values()) {
            if (d.configName.equals(name == null ? null : name.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException(key + ": unknown dataset '" + name + "'; expected PASCALContext or NYUD");
    }

    /** Parses a command-line name: nyud or pascal (case-insensitive). */
    public static DatasetLayout parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (DatasetLayout d : values()) {
            if (d.shortName.equals(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dataset layout '" + name + "'; expected nyud or pascal");
    }
}
