package org.m3vit.generalist.task;

import java.util.List;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.Attributes;
import org.m3vit.generalist.model.GeneralistModel;

/**
 * Text-only classification: how many objects a caption mentions ("one object", "two objects", "three
 * objects"), a GLUE-style task with the reference's text-input and text-task-target attribute rows.
 */
public final class TextClassification extends ClassificationTask {

    @Override
    public String id() {
        return "text_cls";
    }

    @Override
    public float defaultLossWeight() {
        return 1f;
    }

    @Override
    public List<String> classes(MultimodalCorpus corpus) {
        return corpus.textClasses();
    }

    @Override
    public int[] labels(MultimodalCorpus corpus, MultimodalCorpus.Split split) {
        return corpus.texts(split).stream()
                .mapToInt(MultimodalCorpus.Text::label)
                .toArray();
    }

    @Override
    List<int[]> classNames(TaskContext ctx) {
        return ctx.textClasses();
    }

    @Override
    float[] targetAttributes() {
        return Attributes.TEXT_TASK_TARGET;
    }

    @Override
    GeneralistModel.Encoded encodeInputs(TaskContext ctx, MultimodalCorpus.Split split, int[] items, boolean training) {
        return ctx.encoder()
                .text(
                        ctx.manager(),
                        tokens(ctx.corpus().texts(split), items),
                        GeneralistModel.INPUT,
                        Attributes.TEXT_INPUT,
                        index(),
                        training);
    }
}
