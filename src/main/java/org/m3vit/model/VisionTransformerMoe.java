package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.moe.ExpertSource;
import org.m3vit.moe.MoeOutput;
import org.m3vit.moe.RoutingContext;
import org.m3vit.moe.TaskEmbedding;
import org.m3vit.nn.NamedBlocks;
import org.m3vit.nn.TorchInit;

/**
 * The M³ViT backbone (m3vit.md §1.1): patch-embed conv, cls token, learned pos-embed, pre-norm blocks
 * with an MoE FFN in the configured blocks, no final norm; returns every block's output. A dense
 * config (no MoE blocks) gives the MTL baseline ViT from the same code.
 *
 * <p>Children and parameters carry the reference names ({@code patch_embed.proj}, {@code cls_token},
 * {@code pos_embed}, {@code blocks.{i}.…}, {@code gate_task_represent.…}).
 */
public final class VisionTransformerMoe extends AbstractBlock {

    private final ModelConfig config;
    private final PatchEmbed patchEmbed;
    private final Parameter clsToken;
    private final Parameter posEmbed;
    private final NamedBlocks<VitBlock> blocks;
    private final List<VitBlock> blockList = new ArrayList<>();
    private final TaskEmbedding taskEmbedding;

    /** Every token is an image token: one modality (id 0) for modality-level routing. */
    public static final int MODALITIES = 1;

    /** Uni-Perceiver-MoE's attribute row for an image input sequence (uni-perceiver-moe.md §2.1). */
    private static final float[] IMAGE_INPUT_ATTRIBUTES = {1, 0, 0, 1, 1, 0, 0, 0};

    public VisionTransformerMoe(ModelConfig config) {
        this.config = config;
        int d = config.embedDim();
        patchEmbed = addChildBlock("patch_embed", new PatchEmbed(config.inChans(), d, config.patchSize()));
        clsToken = addParameter(Parameter.builder()
                .setName("cls_token")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1, d))
                .optInitializer(TorchInit.truncNormal(0.02))
                .build());
        posEmbed = addParameter(Parameter.builder()
                .setName("pos_embed")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, config.numPatches() + 1, d))
                .optInitializer(TorchInit.truncNormal(0.02))
                .build());
        blocks = addChildBlock("blocks", new NamedBlocks<>());
        int tasks = config.tasks().size();
        for (int i = 0; i < config.depth(); i++) {
            Sublayer.FeedForwardFactory ffn = config.isMoeBlock(i)
                    ? Sublayers.moeFfn(config.moe(), config.moeHidden(), tasks, MODALITIES)
                    : Sublayers.mlp(config.denseHidden());
            blockList.add(blocks.add(
                    Integer.toString(i), new VitBlock(d, config.numHeads(), Sublayers.denseProjections(), ffn)));
        }
        taskEmbedding = config.taskConditioned()
                ? addChildBlock("gate_task_represent", new TaskEmbedding(tasks, config.gateTaskSpecificDim()))
                : null;
    }

    public ModelConfig config() {
        return config;
    }

    public List<VitBlock> blocks() {
        return blockList;
    }

    public Parameter posEmbedParameter() {
        return posEmbed;
    }

    /** Patch tokens with cls prepended and pos-embed added: (B, N+1, D). */
    public NDArray embed(ParameterStore ps, NDArray image, boolean training) {
        checkImage(image);
        NDArray tokens = patchEmbed.forward(ps, image, training);
        long b = tokens.getShape().get(0);
        NDArray cls = ps.getValue(clsToken, image.getDevice(), training).broadcast(b, 1, config.embedDim());
        return cls.concat(tokens, 1).add(ps.getValue(posEmbed, image.getDevice(), training));
    }

    private void checkImage(NDArray image) {
        Shape s = image.getShape();
        if (s.dimension() != 4
                || s.get(1) != config.inChans()
                || s.get(2) != config.imgHeight()
                || s.get(3) != config.imgWidth()) {
            throw new IllegalArgumentException("input images must have shape (N, " + config.inChans() + ", "
                    + config.imgHeight() + ", " + config.imgWidth() + ") as the config's img_size, got " + s);
        }
        if (image.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("input images must be float32, got " + image.getDataType());
        }
    }

    /**
     * The router inputs a task pathway needs: its task id (multi-gate and task-level routing), f_t for
     * task-conditioned routing, the image modality for modality-level routing and the image-input
     * attribute row for attribute-level routing (every token of this model is an image token).
     */
    public RoutingContext routingContext(ParameterStore ps, NDManager manager, int taskId, boolean training) {
        config.tasks().get(taskId); // range check
        RoutingContext.Builder ctx = RoutingContext.builder().task(taskId);
        switch (config.routing()) {
            case "task_conditioned" -> ctx.taskFeature(taskEmbedding.forward(ps, manager, taskId, training));
            case "modality" -> ctx.modality(manager.zeros(new Shape(config.numPatches() + 1L), DataType.INT64));
            case "attribute" -> ctx.attributes(manager.create(IMAGE_INPUT_ATTRIBUTES, new Shape(1, 8)), null);
            default -> {} // token and context routing see only the tokens
        }
        return ctx.build();
    }

    /** One task's pathway: the backbone with that task's routers. */
    public BackboneOutput forward(ParameterStore ps, NDArray image, int taskId, boolean training) {
        return forward(ps, image, taskId, training, ExpertSource.RESIDENT);
    }

    /** One task's pathway, its MoE layers taking the experts' weights from {@code experts}. */
    public BackboneOutput forward(
            ParameterStore ps, NDArray image, int taskId, boolean training, ExpertSource experts) {
        checkTask(taskId);
        return continuePathway(ps, prefix(ps, image, training), image.getManager(), taskId, training, experts);
    }

    /**
     * Every task's pathway (task id → output). The task-independent prefix (embedding, the dense blocks
     * before the first router and that block's attention half) is computed once and shared.
     */
    public Map<Integer, BackboneOutput> forwardAll(ParameterStore ps, NDArray image, boolean training) {
        Prefix p = prefix(ps, image, training);
        Map<Integer, BackboneOutput> out = new LinkedHashMap<>();
        for (int t = 0; t < config.tasks().size(); t++) {
            out.put(t, continuePathway(ps, p, image.getManager(), t, training, ExpertSource.RESIDENT));
        }
        return out;
    }

    /** One task's pathway continued from a {@link #prefix} (resident experts). */
    public BackboneOutput forward(ParameterStore ps, Prefix prefix, NDManager manager, int taskId, boolean training) {
        checkTask(taskId);
        return continuePathway(ps, prefix, manager, taskId, training, ExpertSource.RESIDENT);
    }

    private void checkTask(int taskId) {
        if (taskId < 0 || taskId >= config.tasks().size()) {
            throw new IllegalArgumentException("task id " + taskId + " out of range for "
                    + config.tasks().size() + " tasks " + config.tasks().ids());
        }
    }

    /**
     * The task-independent start of every pathway: the outputs of the blocks before the first router,
     * and the activations after the first MoE block's attention half (null without MoE blocks).
     */
    public record Prefix(List<NDArray> outputs, NDArray afterAttention) {

        /** Every array of the prefix, in a fixed order: the block outputs, then the attention half's. */
        public List<NDArray> arrays() {
            List<NDArray> all = new ArrayList<>(outputs);
            if (afterAttention != null) {
                all.add(afterAttention);
            }
            return all;
        }

        /**
         * The same values cut from the graph that made them, as leaves that collect the gradient of every
         * pathway continued from them (in {@link #arrays()} order). Back-propagating those gradients
         * through this prefix once then equals one backward per pathway through its own copy.
         */
        public Prefix detached() {
            List<NDArray> outs = new ArrayList<>();
            for (NDArray o : outputs) {
                outs.add(leaf(o));
            }
            return new Prefix(outs, afterAttention == null ? null : leaf(afterAttention));
        }

        private static NDArray leaf(NDArray a) {
            NDArray l = a.stopGradient();
            l.setRequiresGradient(true);
            return l;
        }
    }

    /** The task-independent prefix of every pathway, to continue with {@link #forward(ParameterStore, Prefix, NDManager, int, boolean)}. */
    public Prefix prefix(ParameterStore ps, NDArray image, boolean training) {
        NDArray x = embed(ps, image, training);
        int first = config.firstMoeBlock();
        List<NDArray> outs = new ArrayList<>();
        for (int i = 0; i < first; i++) {
            VitBlock b = blockList.get(i);
            NDArray in = x;
            x = StepScope.run(() -> b.forward(ps, in, new BlockCall(RoutingContext.none()), training));
            outs.add(x);
        }
        NDArray last = x;
        NDArray afterAttention = first < config.depth()
                ? StepScope.run(
                        () -> blockList.get(first).attend(ps, last, new BlockCall(RoutingContext.none()), training))
                : null;
        return new Prefix(outs, afterAttention);
    }

    private BackboneOutput continuePathway(
            ParameterStore ps, Prefix p, NDManager manager, int taskId, boolean training, ExpertSource experts) {
        List<NDArray> outs = new ArrayList<>(p.outputs());
        Map<Integer, NDArray> counts = new LinkedHashMap<>();
        NDArray aux = null;
        int first = config.firstMoeBlock();
        if (first < config.depth()) {
            RoutingContext ctx = routingContext(ps, manager, taskId, training);
            NDArray x = null;
            for (int i = first; i < config.depth(); i++) {
                VitBlock b = blockList.get(i);
                NDArray in = i == first ? p.afterAttention() : x;
                boolean attentionDone = i == first;
                BlockCall call = new BlockCall(ctx, experts);
                x = StepScope.run(
                        () -> attentionDone ? b.feedForward(ps, in, call, training) : b.forward(ps, in, call, training),
                        out -> survivors(out, call));
                outs.add(x);
                for (Map.Entry<String, MoeOutput> e : call.routed().entrySet()) {
                    if (e.getKey().equals("mlp")) {
                        counts.put(i, e.getValue().expertCounts());
                    }
                    aux = aux == null
                            ? e.getValue().auxLoss()
                            : aux.add(e.getValue().auxLoss());
                }
            }
        }
        if (aux == null) {
            aux = manager.zeros(new Shape(), DataType.FLOAT32);
        }
        return new BackboneOutput(outs, aux, counts);
    }

    /** What a block step must keep: its output and what is read of its MoE results (balancing loss, counts). */
    private static NDArray[] survivors(NDArray output, BlockCall call) {
        List<NDArray> keep = new ArrayList<>();
        keep.add(output);
        for (MoeOutput m : call.routed().values()) {
            keep.add(m.auxLoss());
            keep.add(m.expertCounts());
        }
        return keep.toArray(new NDArray[0]);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), 0, training).blocks());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = new Shape(inputShapes[0].get(0), config.numPatches() + 1L, config.embedDim());
        Shape[] out = new Shape[config.depth()];
        Arrays.fill(out, tokens);
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        patchEmbed.initialize(manager, dataType, new Shape(1, config.inChans(), config.imgHeight(), config.imgWidth()));
        blocks.initialize(manager, dataType, new Shape(1, 1, config.embedDim()));
        if (taskEmbedding != null) {
            taskEmbedding.initialize(manager, dataType, new Shape(config.tasks().size()));
        }
    }
}
