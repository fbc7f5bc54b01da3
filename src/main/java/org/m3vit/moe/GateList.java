package org.m3vit.moe;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Multi-gate routing: one independent gate per task ({@code gate.0}, {@code gate.1}, …), experts shared. */
final class GateList extends AbstractBlock {

    private final List<Gate> gates = new ArrayList<>();

    GateList(List<Gate> perTask) {
        for (int t = 0; t < perTask.size(); t++) {
            gates.add(addChildBlock(Integer.toString(t), perTask.get(t)));
        }
    }

    List<Gate> gates() {
        return Collections.unmodifiableList(gates);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("select a task's gate and call it directly");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return gates.get(0).getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Gate g : gates) {
            g.initialize(manager, dataType, inputShapes);
        }
    }
}
