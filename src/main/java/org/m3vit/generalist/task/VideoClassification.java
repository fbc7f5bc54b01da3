package org.m3vit.generalist.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;

/**
 * Video classification: how the camera moves in a clip, against the motion names' texts (the reference's
 * Kinetics task, with the image tasks' attribute rows; loss weight 0.1 as the reference's K700/MiT).
 */
public final class VideoClassification extends ClassificationTask {

    @Override
    public String id() {
        return "video_cls";
    }

    @Override
    public float defaultLossWeight() {
        return 0.1f;
    }

    @Override
    public List<String> classes(MultimodalCorpus corpus) {
        return corpus.videoClasses();
    }

    @Override
    public int[] labels(MultimodalCorpus corpus, MultimodalCorpus.Split split) {
        return corpus.videos(split).stream()
                .mapToInt(MultimodalCorpus.Video::label)
                .toArray();
    }

    @Override
    List<int[]> classNames(TaskContext ctx) {
        return ctx.videoClasses();
    }

    @Override
    float[] targetAttributes() {
        return Attributes.VISUAL_TASK_TEXT_TARGET;
    }

    @Override
    GeneralistModel.Encoded encodeInputs(TaskContext ctx, MultimodalCorpus.Split split, int[] items, boolean training) {
        return ctx.encoder()
                .visual(
                        clips(ctx.manager(), ctx.corpus(), split, items),
                        GeneralistModel.INPUT,
                        Attributes.VISUAL_INPUT,
                        index(),
                        training);
    }

    /** The items' frames as one (B, T, 3, H, W) array. */
    static NDArray clips(NDManager m, MultimodalCorpus corpus, MultimodalCorpus.Split split, int[] items) {
        List<MultimodalCorpus.Video> videos = corpus.videos(split);
        int size = corpus.frames() * 3 * corpus.height() * corpus.width();
        float[] all = new float[items.length * size];
        for (int i = 0; i < items.length; i++) {
            System.arraycopy(videos.get(items[i]).pixels(), 0, all, i * size, size);
        }
        return m.create(all, new Shape(items.length, corpus.frames(), 3, corpus.height(), corpus.width()));
    }
}
