package org.m3vit.generalist.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.m3vit.nn.TorchInit;

/**
 * Prompt tokens for prompt tuning (§6.4): {@code prompt_embed} (tasks, P, D), P learned tokens per task
 * appended to every input sequence of that task (shallow prompts; the reference's deep prompts are P
 * key/value prefixes per layer). Kept outside {@link GeneralistModel}, so artifacts without prompts are
 * unchanged and the encoder can be frozen around them.
 */
public final class Prompts extends AbstractBlock {

    private final Parameter embed;
    private final int tokens;
    private final int dim;

    public Prompts(int tasks, int tokens, int dim) {
        if (tokens < 1) {
            throw new IllegalArgumentException("prompt tokens must be >= 1, got " + tokens);
        }
        this.tokens = tokens;
        this.dim = dim;
        embed = addParameter(Parameter.builder()
                .setName("prompt_embed")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(tasks, tokens, dim))
                .optInitializer(TorchInit.truncNormal(0.02))
                .build());
    }

    public Prompts initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 1, dim));
        return this;
    }

    public int tokens() {
        return tokens;
    }

    /** Task {@code task}'s prompts as (1, P, D). */
    public NDArray of(ParameterStore ps, int task, Device dev, boolean training) {
        return ps.getValue(embed, dev, training).get(task).reshape(1, tokens, dim);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        throw new UnsupportedOperationException("prompts are appended by SequenceEncoder");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
