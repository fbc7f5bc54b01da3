package org.m3vit.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A container of named child blocks, like torch's ModuleList ("0", "1", …) and ModuleDict ("semseg", …),
 * so that parameter names get the reference's path segment. Callers run the children themselves.
 */
public final class NamedBlocks<B extends Block> extends AbstractBlock {

    private final Map<String, B> byName = new LinkedHashMap<>();

    public B add(String name, B block) {
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("duplicate child block name '" + name + "'");
        }
        byName.put(name, addChildBlock(name, block));
        return block;
    }

    public B get(String name) {
        B b = byName.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no child block '" + name + "'; have " + byName.keySet());
        }
        return b;
    }

    public Map<String, B> all() {
        return Collections.unmodifiableMap(byName);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("a container of named blocks; call its children directly");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (B b : byName.values()) {
            b.initialize(manager, dataType, inputShapes);
        }
    }
}
