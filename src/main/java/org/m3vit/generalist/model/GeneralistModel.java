package org.m3vit.generalist.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.model.BlockCall;
import org.m3vit.model.MergedExperts;
import org.m3vit.model.PatchEmbed;
import org.m3vit.model.Sublayer;
import org.m3vit.model.Sublayers;
import org.m3vit.model.VitBlock;
import org.m3vit.moe.ExpertKind;
import org.m3vit.moe.MoeOutput;
import org.m3vit.moe.RoutingContext;
import org.m3vit.moe.RoutingDecision;
import org.m3vit.nn.LayerNormLayer;
import org.m3vit.nn.LinearLayer;
import org.m3vit.nn.NamedBlocks;
import org.m3vit.nn.Scalars;
import org.m3vit.nn.TorchInit;

/**
 * The Uni-Perceiver(-MoE) generalist: modality tokenizers, one shared pre-norm transformer encoder for
 * inputs and targets alike, and a post-projection whose normalised outputs are compared by cosine
 * similarity with a learned temperature per task.
 *
 * <ul>
 *   <li><b>Tokenizers.</b> Text: {@code token_embed} (V, D) + {@code text_pos_embed}. Image: {@code
 *       patch_embed} (conv P×P/P) + fixed 2-D sin-cos spatial positions + {@code temporal_embed}[0] (an
 *       image is a one-frame video). Video: every frame so, with {@code temporal_embed}[f]. Every token
 *       also gets {@code type_embed}[input|target] and {@code modality_embed}[visual|text]; every sequence
 *       starts with the {@code [SPE]} token; one shared {@code embed_norm} LayerNorm.
 *   <li><b>Encoder.</b> {@code blocks.i} are {@link VitBlock}s. On the MoE blocks (every other one by
 *       default) qkv and proj are linear experts sharing one decision ({@code attn}), and so are the FFN's
 *       fc1 and fc2 ({@code mlp}), as the reference shares them; attention and FFN route independently.
 *       The router sees what {@code model.moe.routing} says (token, context, modality, task or attribute),
 *       through the {@link RoutingContext} built from the sequence's {@link Segment}s. With MoE off it is
 *       the dense Uni-Perceiver.
 *   <li><b>Similarity.</b> {@code ln_post} + {@code proj}, L2-normalised; logits = cos · min(exp(s_t), 100)
 *       with {@code logit_scale}[t] initialised to log(1/0.07).
 * </ul>
 *
 * The model keeps no per-call state; {@link Reparameterisation} holds merged experts for inference.
 */
public final class GeneralistModel extends AbstractBlock {

    public static final int INPUT = 0;
    public static final int TARGET = 1;

    private final GeneralistConfig.Model config;
    private final int vocab;
    private final int tasks;
    private final Parameter tokenEmbed;
    private final Parameter textPos;
    private final Parameter temporal;
    private final Parameter typeEmbed;
    private final Parameter modalityEmbed;
    private final Parameter logitScale;
    private final PatchEmbed patchEmbed;
    private final LayerNormLayer embedNorm;
    private final NamedBlocks<VitBlock> blocks;
    private final LayerNormLayer lnPost;
    private final LinearLayer proj;
    private final float[] spatial;

    /**
     * @param vocab the tokenizer's vocabulary size
     * @param tasks number of task ids (task-level routing's labels and the temperatures)
     */
    public GeneralistModel(GeneralistConfig.Model config, int vocab, int tasks) {
        this.config = config;
        this.vocab = vocab;
        this.tasks = tasks;
        int d = config.embedDim();
        tokenEmbed = addParameter(weight("token_embed", new Shape(vocab, d)));
        textPos = addParameter(weight("text_pos_embed", new Shape(config.textLength() + 1, d)));
        // unit-scale, so frames are told apart from the first step (at 0.02 the patch content drowns them)
        temporal = addParameter(Parameter.builder()
                .setName("temporal_embed")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.frames(), d))
                .optInitializer(TorchInit.truncNormal(0.5))
                .build());
        typeEmbed = addParameter(weight("type_embed", new Shape(2, d)));
        modalityEmbed = addParameter(weight("modality_embed", new Shape(Segment.MODALITIES, d)));
        logitScale = addParameter(Parameter.builder()
                .setName("logit_scale")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(tasks))
                .optInitializer(new ConstantInitializer((float) Math.log(1 / 0.07)))
                .build());
        patchEmbed = addChildBlock("patch_embed", new PatchEmbed(3, d, config.patch()));
        embedNorm = addChildBlock("embed_norm", new LayerNormLayer(d, 1e-6f));
        blocks = addChildBlock("blocks", new NamedBlocks<>());
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(Integer.toString(i), block(i));
        }
        lnPost = addChildBlock("ln_post", new LayerNormLayer(d, 1e-6f));
        proj = addChildBlock("proj", LinearLayer.torchDefault(d, d, false)); // a matrix, as the reference's
        spatial = sinCos2d(d, config.gridHeight(), config.gridWidth());
    }

    private static Parameter weight(String name, Shape shape) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .optInitializer(TorchInit.truncNormal(0.02))
                .build();
    }

    private VitBlock block(int i) {
        int d = config.embedDim();
        if (!config.isMoeLayer(i)) {
            return VitBlock.dense(d, config.heads(), config.mlpHidden());
        }
        var spec = config.moeSpec();
        Sublayer.ProjectionFactory attention = config.attentionMoe()
                ? Sublayers.expertProjections(spec, tasks, Segment.MODALITIES, "attn")
                : Sublayers.denseProjections();
        Sublayer.FeedForwardFactory ffn = spec.expertKind() == ExpertKind.FFN
                ? Sublayers.moeFfn(spec, config.mlpHidden(), tasks, Segment.MODALITIES)
                : Sublayers.projectedMlp(
                        config.mlpHidden(), Sublayers.expertProjections(spec, tasks, Segment.MODALITIES, "mlp"));
        return new VitBlock(d, config.heads(), attention, ffn);
    }

    /**
     * Base of the sin-cos frequencies. MAE's 10000 suits 14×14 grids; on our 4×4 grids it leaves all but a
     * few channels nearly constant, so a smaller base spreads the positions over more channels.
     */
    static final double SIN_COS_BASE = 100;

    /** The fixed 2-D sin-cos position table (N, D): half the channels encode the row, half the column. */
    static float[] sinCos2d(int d, int gh, int gw) {
        float[] out = new float[gh * gw * d];
        int quarter = d / 4;
        for (int y = 0; y < gh; y++) {
            for (int x = 0; x < gw; x++) {
                int base = (y * gw + x) * d;
                for (int k = 0; k < quarter; k++) {
                    double omega = 1.0 / Math.pow(SIN_COS_BASE, (double) k / quarter);
                    out[base + k] = (float) Math.sin(y * omega);
                    out[base + quarter + k] = (float) Math.cos(y * omega);
                    out[base + 2 * quarter + k] = (float) Math.sin(x * omega);
                    out[base + 3 * quarter + k] = (float) Math.cos(x * omega);
                }
            }
        }
        return out;
    }

    public GeneralistModel initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.imageHeight(), config.imageWidth()));
        return this;
    }

    public GeneralistConfig.Model config() {
        return config;
    }

    public int vocab() {
        return vocab;
    }

    public int tasks() {
        return tasks;
    }

    /** The encoder blocks, in order. */
    public List<VitBlock> blocks() {
        return List.copyOf(blocks.all().values());
    }

    // ---------------------------------------------------------------- tokenizers

    /** Text tokens (B, n) int64 at positions (n) int64 → embeddings (B, n, D) (before the shared norm). */
    public NDArray embedText(ParameterStore ps, NDArray ids, NDArray positions, int type, boolean training) {
        Device dev = ids.getDevice();
        long b = ids.getShape().get(0);
        long n = ids.getShape().get(1);
        NDArray tok =
                ps.getValue(tokenEmbed, dev, training).get(ids.reshape(-1)).reshape(b, n, config.embedDim());
        NDArray pos = ps.getValue(textPos, dev, training).get(positions);
        return tok.add(pos).add(side(ps, type, Segment.TEXT, dev, training));
    }

    /**
     * Images (B, 3, H, W), or clips (B, T, 3, H, W) → patch tokens (B, T·N, D): patch embedding, the fixed
     * spatial table, the temporal embedding of each frame (frame 0 for an image).
     */
    public NDArray embedVisual(ParameterStore ps, NDArray pixels, int type, boolean training) {
        Device dev = pixels.getDevice();
        Shape s = pixels.getShape();
        boolean video = s.dimension() == 5;
        long b = s.get(0);
        long t = video ? s.get(1) : 1;
        NDArray frames = video ? pixels.reshape(b * t, s.get(2), s.get(3), s.get(4)) : pixels;
        NDArray p = patchEmbed.forward(ps, frames, training); // (B·T, N, D)
        int n = config.patches();
        int d = config.embedDim();
        NDArray pos = pixels.getManager().create(spatial, new Shape(1, n, d)).toDevice(dev, false);
        NDArray time = ps.getValue(temporal, dev, training)
                .get("0:{}", t)
                .expandDims(1)
                .broadcast(t, n, d)
                .reshape(1, t * n, d);
        return p.add(pos).reshape(b, t * n, d).add(time).add(side(ps, type, Segment.VISUAL, dev, training));
    }

    /** The {@code [SPE]} token that starts every sequence: (1, 1, D). */
    public NDArray spe(ParameterStore ps, int speId, int type, Device dev, boolean training) {
        NDArray e = ps.getValue(tokenEmbed, dev, training).get(speId);
        NDArray ty = ps.getValue(typeEmbed, dev, training).get(type);
        return e.add(ty).reshape(1, 1, config.embedDim());
    }

    private NDArray side(ParameterStore ps, int type, int modality, Device dev, boolean training) {
        return ps.getValue(typeEmbed, dev, training)
                .get(type)
                .add(ps.getValue(modalityEmbed, dev, training).get(modality));
    }

    /** The learned scale of task {@code task}'s logits, exp(s_t) capped at 100. */
    public NDArray logitScale(ParameterStore ps, int task, Device dev, boolean training) {
        NDArray s = ps.getValue(logitScale, dev, training).get(task).exp();
        return s.minimum(Scalars.of(s, 100));
    }

    // ---------------------------------------------------------------- encoder

    /**
     * An encoded batch: hidden states (B, L, D), the summed balancing loss, every routing decision, and
     * which positions are real tokens ((B, L) 1/0, or null when all are).
     */
    public record Encoded(
            NDArray hidden, NDArray auxLoss, List<Map<String, RoutingDecision>> decisions, NDArray valid) {

        /** The same encoding with its real positions marked. */
        public Encoded withValid(NDArray mask) {
            return new Encoded(hidden, auxLoss, decisions, mask);
        }
    }

    /**
     * Runs the shared encoder on embedded tokens (B, L, D) (the shared norm is applied here).
     *
     * @param segments the positions of each routing condition, covering 0..L
     * @param mask additive attention mask broadcastable to (B, heads, L, L), or null
     * @param task the running task's id (task-level routing)
     * @param merged merged experts to apply instead of routing (inference), or null
     */
    public Encoded encode(
            ParameterStore ps,
            NDArray tokens,
            List<Segment> segments,
            NDArray mask,
            int task,
            boolean training,
            Reparameterisation merged) {
        NDArray x = embedNorm.forward(ps, tokens, training);
        RoutingContext ctx = routingContext(x, segments, task);
        MergedExperts experts = merged == null ? null : merged.forCall(segments, task);
        NDArray aux = null;
        List<Map<String, RoutingDecision>> decisions = new ArrayList<>();
        for (VitBlock block : blocks.all().values()) {
            BlockCall call = new BlockCall(ctx).withAttentionMask(mask).withMergedExperts(experts);
            x = block.forward(ps, x, call, training);
            Map<String, RoutingDecision> byRole = new LinkedHashMap<>();
            Map<RoutingDecision, Boolean> seen = new IdentityHashMap<>();
            for (Map.Entry<String, MoeOutput> e : call.routed().entrySet()) {
                RoutingDecision d = e.getValue().decision();
                byRole.put(e.getKey(), d);
                if (seen.put(d, true) == null) {
                    aux = aux == null ? d.auxLoss() : aux.add(d.auxLoss());
                }
            }
            decisions.add(byRole);
        }
        if (aux == null) {
            aux = x.getManager().zeros(new Shape(), x.getDataType()).toDevice(x.getDevice(), false);
        }
        return new Encoded(x, aux, decisions, null);
    }

    /** What every router may condition on: the task, each segment's attribute row and token modality. */
    static RoutingContext routingContext(NDArray x, List<Segment> segments, int task) {
        NDManager m = x.getManager();
        int length = Math.toIntExact(x.getShape().get(1));
        float[] rows = new float[segments.size() * Attributes.WIDTH];
        long[] rowOfToken = new long[length];
        long[] modality = new long[length];
        int covered = 0;
        for (int r = 0; r < segments.size(); r++) {
            Segment s = segments.get(r);
            System.arraycopy(s.attributes(), 0, rows, r * Attributes.WIDTH, Attributes.WIDTH);
            if (s.start() != covered) {
                throw new IllegalArgumentException("segments must cover the sequence in order; " + s + " starts at "
                        + s.start() + ", expected " + covered);
            }
            for (int p = s.start(); p < s.end(); p++) {
                rowOfToken[p] = r;
                modality[p] = s.modality();
            }
            covered = s.end();
        }
        if (covered != length) {
            throw new IllegalArgumentException("segments cover " + covered + " of " + length + " positions");
        }
        Device dev = x.getDevice();
        return RoutingContext.builder()
                .task(task)
                .attributes(
                        m.create(rows, new Shape(segments.size(), Attributes.WIDTH))
                                .toDevice(dev, false),
                        m.create(rowOfToken).toDevice(dev, false))
                .modality(m.create(modality).toDevice(dev, false))
                .build();
    }

    /** The similarity feature of hidden states (…, D): ln_post, proj, L2-normalised. */
    public NDArray feature(ParameterStore ps, NDArray hidden, boolean training) {
        NDArray f = proj.forward(ps, lnPost.forward(ps, hidden, training), training);
        NDArray norm = f.square().sum(new int[] {-1}, true).add(1e-12f).sqrt();
        return f.div(norm);
    }

    /** Similarity logits (N, M) of features a (N, D) against b (M, D) at task {@code task}'s temperature. */
    public NDArray logits(ParameterStore ps, NDArray a, NDArray b, int task, boolean training) {
        return a.matMul(b.transpose()).mul(logitScale(ps, task, a.getDevice(), training));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("use the task encoders (GeneralistModel.encode)");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        int d = config.embedDim();
        patchEmbed.initialize(manager, dataType, new Shape(1, 3, config.imageHeight(), config.imageWidth()));
        embedNorm.initialize(manager, dataType, new Shape(1, 1, d));
        for (VitBlock b : blocks.all().values()) {
            b.initialize(manager, dataType, new Shape(1, 1, d));
        }
        lnPost.initialize(manager, dataType, new Shape(1, 1, d));
        proj.initialize(manager, dataType, new Shape(1, d));
    }

    /** Concatenates token parts along the sequence axis, broadcasting (1, n, D) parts to the batch. */
    public static NDArray concat(long batch, NDArray... parts) {
        NDList list = new NDList();
        for (NDArray p : parts) {
            list.add(
                    p.getShape().get(0) == batch
                            ? p
                            : p.broadcast(
                                    batch, p.getShape().get(1), p.getShape().get(2)));
        }
        return NDArrays.concat(list, 1);
    }
}
