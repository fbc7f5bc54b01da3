package org.m3vit.task.dense;

import org.m3vit.task.DatasetLayout;

/** Semantic segmentation: the dataset's label set (21 PASCAL-Context classes, 40 NYUD). */
public final class SemsegSpec extends ClassMapSpec {

    @Override
    public String id() {
        return "semseg";
    }

    @Override
    public int classes(DatasetLayout dataset) {
        return dataset.semsegClasses();
    }

    @Override
    public float defaultLossWeight(DatasetLayout dataset) {
        return 1f;
    }
}
