package org.m3vit.generalist.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;

/**
 * Image classification: which "colour shape" object covers most of the image, against the class names'
 * texts (the reference's ImageNet task; loss weight 1).
 */
public final class ImageClassification extends ClassificationTask {

    @Override
    public String id() {
        return "image_cls";
    }

    @Override
    public float defaultLossWeight() {
        return 1f;
    }

    @Override
    public List<String> classes(MultimodalCorpus corpus) {
        return corpus.imageClasses();
    }

    @Override
    public int[] labels(MultimodalCorpus corpus, MultimodalCorpus.Split split) {
        return corpus.images(split).stream()
                .mapToInt(MultimodalCorpus.Image::label)
                .toArray();
    }

    @Override
    List<int[]> classNames(TaskContext ctx) {
        return ctx.imageClasses();
    }

    @Override
    float[] targetAttributes() {
        return Attributes.VISUAL_TASK_TEXT_TARGET;
    }

    @Override
    GeneralistModel.Encoded encodeInputs(TaskContext ctx, MultimodalCorpus.Split split, int[] items, boolean training) {
        return ctx.encoder()
                .visual(
                        images(ctx.manager(), ctx.corpus(), split, items),
                        GeneralistModel.INPUT,
                        Attributes.VISUAL_INPUT,
                        index(),
                        training);
    }

    /** The items' pixels as one (B, 3, H, W) array. */
    static NDArray images(NDManager m, MultimodalCorpus corpus, MultimodalCorpus.Split split, int[] items) {
        List<MultimodalCorpus.Image> images = corpus.images(split);
        int plane = 3 * corpus.height() * corpus.width();
        float[] all = new float[items.length * plane];
        for (int i = 0; i < items.length; i++) {
            System.arraycopy(images.get(items[i]).pixels(), 0, all, i * plane, plane);
        }
        return m.create(all, new Shape(items.length, 3, corpus.height(), corpus.width()));
    }
}
