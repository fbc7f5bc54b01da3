package org.m3vit.task;

/** The datasets a config may name in {@code train_db_name}; they fix the semseg label set. */
public enum Dataset {
    PASCAL_CONTEXT("PASCALContext", 21),
    NYUD("NYUD", 40);

    private final String configName;
    private final int semsegClasses;

    Dataset(String configName, int semsegClasses) {
        this.configName = configName;
        this.semsegClasses = semsegClasses;
    }

    public String configName() {
        return configName;
    }

    public int semsegClasses() {
        return semsegClasses;
    }

    public static Dataset parse(String key, String name) {
        for (Dataset d : values()) {
            if (d.configName.equals(name == null ? null : name.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException(key + ": unknown dataset '" + name + "'; expected PASCALContext or NYUD");
    }
}
