package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.moe.ExpertSource;
import org.m3vit.nn.NamedBlocks;
import org.m3vit.task.Task;

/**
 * M³ViT's {@code MultiTaskModel}: a shared {@code backbone} and one {@code decoders.{task}} head per
 * task. The same code gives the MoE model, the dense multi-task baseline (a config without MoE blocks)
 * and single-task models (a config with one task).
 */
public final class MultiTaskModel extends AbstractBlock {

    private final ModelConfig config;
    private final VisionTransformerMoe backbone;
    private final NamedBlocks<UpHead> decoders;

    /** Refuses a config beyond the parameter and activation limits before any block is made (FlopCounter). */
    public MultiTaskModel(ModelConfig config) {
        FlopCounter.checkResources(config);
        this.config = config;
        backbone = addChildBlock("backbone", new VisionTransformerMoe(config));
        decoders = addChildBlock("decoders", new NamedBlocks<>());
        for (Task t : config.tasks().tasks()) {
            decoders.add(
                    t.id(),
                    new UpHead(
                            config.embedDim(),
                            config.headChannels(),
                            config.tasks().channels(t)));
        }
    }

    public ModelConfig config() {
        return config;
    }

    public VisionTransformerMoe backbone() {
        return backbone;
    }

    public UpHead head(Task t) {
        config.tasks().idOf(t);
        return decoders.get(t.id());
    }

    /** Initialises every parameter (shapes are fixed by the config). */
    public MultiTaskModel initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, inputShape(1));
        return this;
    }

    public Shape inputShape(long batch) {
        return new Shape(batch, config.inChans(), config.imgHeight(), config.imgWidth());
    }

    /** One task's pathway: backbone with that task's routers, then only that task's head. */
    public TaskOutput forward(ParameterStore ps, NDArray image, Task task, boolean training) {
        return forward(ps, image, task, training, ExpertSource.RESIDENT);
    }

    /**
     * One task's pathway whose MoE layers take the experts' weights from {@code experts} (the resident
     * parameters, or a streamed source). Only that task's routers and head are used.
     */
    public TaskOutput forward(ParameterStore ps, NDArray image, Task task, boolean training, ExpertSource experts) {
        return forward(ps, image, task, training, experts, () -> {});
    }

    /**
     * As {@link #forward(ParameterStore, NDArray, Task, boolean, ExpertSource)}, running {@code beforeHead}
     * between the backbone and the head: a runtime that loads the head while the backbone computes waits
     * for it there.
     */
    public TaskOutput forward(
            ParameterStore ps, NDArray image, Task task, boolean training, ExpertSource experts, Runnable beforeHead) {
        int id = config.tasks().idOf(task);
        BackboneOutput b = backbone.forward(ps, image, id, training, experts);
        beforeHead.run();
        return new TaskOutput(decode(ps, task, b, image, training), b.auxLoss(), b);
    }

    /** The backbone's task-independent prefix, which every task's pathway starts from. */
    public VisionTransformerMoe.Prefix prefix(ParameterStore ps, NDArray image, boolean training) {
        return backbone.prefix(ps, image, training);
    }

    /** A task's pathway continued from a {@link #prefix} of {@code image}. */
    public TaskOutput forward(
            ParameterStore ps, NDArray image, VisionTransformerMoe.Prefix prefix, Task task, boolean training) {
        BackboneOutput b =
                backbone.forward(ps, prefix, image.getManager(), config.tasks().idOf(task), training);
        return new TaskOutput(decode(ps, task, b, image, training), b.auxLoss(), b);
    }

    /** Every task's pathway, sharing the task-independent backbone prefix. Task → prediction. */
    public MultiTaskOutput forwardAll(ParameterStore ps, NDArray image, boolean training) {
        Map<Integer, BackboneOutput> perTask = backbone.forwardAll(ps, image, training);
        Map<Task, NDArray> predictions = new LinkedHashMap<>();
        Map<Task, BackboneOutput> backbones = new LinkedHashMap<>();
        NDArray aux = null;
        for (Map.Entry<Integer, BackboneOutput> e : perTask.entrySet()) {
            Task t = config.tasks().get(e.getKey());
            predictions.put(t, decode(ps, t, e.getValue(), image, training));
            backbones.put(t, e.getValue());
            aux = aux == null ? e.getValue().auxLoss() : aux.add(e.getValue().auxLoss());
        }
        return new MultiTaskOutput(predictions, aux, backbones);
    }

    private NDArray decode(ParameterStore ps, Task task, BackboneOutput b, NDArray image, boolean training) {
        Shape s = image.getShape();
        return decoders.get(task.id())
                .forward(
                        ps,
                        b.blocks().get(config.inIndex()),
                        config.gridHeight(),
                        config.gridWidth(),
                        (int) s.get(2),
                        (int) s.get(3),
                        training);
    }

    /** A task's prediction (B, C_task, H, W), the MoE balancing loss of its pathway, and the backbone output. */
    public record TaskOutput(NDArray prediction, NDArray auxLoss, BackboneOutput backbone) {}

    /** Predictions of every task, the summed balancing loss, and each pathway's backbone output. */
    public record MultiTaskOutput(
            Map<Task, NDArray> predictions, NDArray auxLoss, Map<Task, BackboneOutput> backbones) {}

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        MultiTaskOutput out = forwardAll(ps, inputs.singletonOrThrow(), training);
        NDList list = new NDList();
        out.predictions().forEach((t, p) -> {
            p.setName(t.id());
            list.add(p);
        });
        list.add(out.auxLoss());
        return list;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        Shape[] out = new Shape[config.tasks().size() + 1];
        for (int i = 0; i < config.tasks().size(); i++) {
            out[i] =
                    new Shape(b, config.tasks().channels(config.tasks().get(i)), config.imgHeight(), config.imgWidth());
        }
        out[out.length - 1] = new Shape();
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShape(1));
        decoders.initialize(manager, dataType, new Shape(1, 1, config.embedDim()));
    }
}
