package org.m3vit.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.errors.Limits;
import org.m3vit.moe.AttributeCondition;
import org.m3vit.moe.GateType;
import org.m3vit.task.Task;

/**
 * Analytic parameter and FLOP counts from a config (no model is built). FLOPs = 2 × multiply-adds.
 * Counting rules (also in docs/model.md):
 * <ul>
 *   <li>Linear/conv: in·out (·k²) multiply-adds per output position; bias adds not counted.
 *   <li>Attention: q·kᵀ and attn·v are L·L·D multiply-adds each (all heads together).
 *   <li>LayerNorm: 2 multiply-adds per element (normalise, affine); BatchNorm in eval: 1 (folded affine).
 *   <li>MoE layer: the gate (L·d_gate·E), the k active experts per token (k·L·2·D·H) and the weighted
 *       combination of their outputs (k·L·D); inactive experts cost nothing.
 *   <li>Not counted: softmax, GELU, ReLU, residual and bias adds, bilinear upsampling, pos-embed add.
 *   <li>All tasks: the task-independent prefix (patch embedding, blocks before the first router and
 *       that block's LN1 + attention) once, the rest of the backbone once per task, every head once.
 * </ul>
 * Parameters count trainable weights only (BatchNorm running statistics are buffers). "Active"
 * parameters of a pathway are those used for one token: k of the E experts, that task's gate and head.
 */
public final class FlopCounter {

    private final ModelConfig c;

    /**
     * Every count here is a sum of products of config sizes; this bounds them all in double precision, so
     * a config whose counts would overflow a long is refused (naming its size) instead of printing a
     * wrapped, wrong number.
     */
    public FlopCounter(ModelConfig c) {
        this.c = c;
        double l = c.numPatches() + 1.0;
        double d = c.embedDim();
        double h = Math.max(c.moeHidden(), c.denseHidden());
        double e = c.moeExperts();
        double g = Math.max(0, c.gateTaskSpecificDim()) + c.tasks().size() + VisionTransformerMoe.MODALITIES;
        double ch = c.headChannels();
        double pixels = (double) c.imgHeight() * c.imgWidth() * c.inChans();
        double perBlock = l * l * d + l * d * (d + h + e + g) + e * d * h + (d + g) * (e + g) + l * e * h;
        double head = pixels * ch * (ch + d + 16) * 9 + l * d;
        double bound =
                (perBlock * (c.depth() + 1) + head + pixels * d) * (c.tasks().size() + 1) * 64;
        if (!(bound < 0x1p62)) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.CONFIG_KEY,
                    "backbone_kwargs",
                    String.format(
                            Locale.ROOT,
                            "backbone_kwargs: the model is too large to count: about %.3g multiply-adds or"
                                    + " parameters, beyond a 64-bit count (img_size %dx%d, embed_dim %d, depth %d,"
                                    + " hidden %d, experts %d, head channels %d)",
                            bound / 64,
                            c.imgHeight(),
                            c.imgWidth(),
                            c.embedDim(),
                            c.depth(),
                            (long) h,
                            c.moeExperts(),
                            c.headChannels()));
        }
    }

    /** One row of the report. */
    public record Row(String name, long params, long activeParams, long backboneMacs, long headMacs) {
        public long flops() {
            return 2 * (backboneMacs + headMacs);
        }
    }

    /**
     * One operation of a pathway, in execution order: the parameters it reads, its multiply-adds, and the
     * activation values it reads and writes. The accelerator model ({@code org.m3vit.accel}) walks these;
     * the FLOP rows above are their sums, so both always agree.
     */
    public record Op(String name, long params, long macs, long valuesIn, long valuesOut) {}

    /** Per-task pathways, then all tasks, for this config (and, if it has MoE blocks, its dense baseline). */
    public List<Row> report() {
        List<Row> rows = new ArrayList<>(rows(this, ""));
        if (c.isMoe()) {
            rows.addAll(rows(new FlopCounter(c.denseBaseline()), "dense "));
        }
        return rows;
    }

    private static List<Row> rows(FlopCounter f, String prefix) {
        List<Row> rows = new ArrayList<>();
        for (Task t : f.c.tasks().tasks()) {
            rows.add(f.pathway(t, prefix));
        }
        rows.add(f.allTasks(prefix));
        return rows;
    }

    public Row pathway(Task t, String prefix) {
        long backboneParams = sharedBackboneParams() + expertParams() + gateParams(1);
        long active = sharedBackboneParams() + activeExpertParams() + gateParams(1);
        long macs = prefixMacs() + suffixMacs();
        long hp = headParams(t);
        return new Row(prefix + "pathway " + t.id(), backboneParams + hp, active + hp, macs, headMacs(t));
    }

    public Row allTasks(String prefix) {
        int tasks = c.tasks().size();
        long headParams = 0;
        long headMacs = 0;
        for (Task t : c.tasks().tasks()) {
            headParams += headParams(t);
            headMacs += headMacs(t);
        }
        long params = sharedBackboneParams() + expertParams() + gateParams(tasks) + headParams;
        long active = sharedBackboneParams() + activeExpertParams() + gateParams(tasks) + headParams;
        // A dense backbone has no router: the whole backbone is the shared prefix.
        long macs = prefixMacs() + (c.isMoe() ? (long) tasks * suffixMacs() : suffixMacs());
        return new Row(prefix + "all " + tasks + " tasks", params, active, macs, headMacs);
    }

    /**
     * The largest activation of one image's forward pass, in float32 bytes: the attention scores
     * (heads × L × L) or the largest op's input plus output, with every token queued at one expert (the
     * worst routing). What a model refuses to be built beyond ({@link #checkResources}).
     */
    public long activationBytes() {
        long l = tokens();
        long largest = (long) c.numHeads() * l * l;
        List<Op> ops = new ArrayList<>(patchEmbedOps());
        for (int i = 0; i < c.depth(); i++) {
            ops.addAll(blockOps(i));
        }
        if (c.isMoe()) {
            ops.addAll(expertOps(c.moeTopK() * l));
        }
        for (Task t : c.tasks().tasks()) {
            ops.addAll(headOps(t));
        }
        for (Op op : ops) {
            largest = Math.max(largest, op.valuesIn() + op.valuesOut());
        }
        return 4 * largest;
    }

    /**
     * Refuses, before anything is allocated, a model whose parameters (all tasks) exceed
     * {@link Limits#MAX_PARAMETERS} or whose largest activation exceeds {@link Limits#MAX_ACTIVATION_BYTES}.
     */
    public static void checkResources(ModelConfig c) {
        FlopCounter f = new FlopCounter(c);
        Limits.check(
                InvalidInputException.Kind.CONFIG_KEY,
                "backbone_kwargs",
                "the parameter count of the model (" + c + ")",
                f.allTasks("").params(),
                Limits.MAX_PARAMETERS,
                "parameters");
        Limits.check(
                InvalidInputException.Kind.CONFIG_KEY,
                "backbone_kwargs.img_size",
                "the largest activation of one " + c.imgHeight() + "x" + c.imgWidth() + " image (bytes)",
                f.activationBytes(),
                Limits.MAX_ACTIVATION_BYTES,
                "activation_bytes");
    }

    /**
     * Refuses a batch whose largest activation ({@link #activationBytes} × {@code batch}) exceeds
     * {@link Limits#MAX_ACTIVATION_BYTES}; {@code subject} names the batch size's setting in the error.
     */
    public static void checkBatch(ModelConfig c, String subject, int batch) {
        Limits.check(
                InvalidInputException.Kind.FIELD,
                subject,
                "the largest activation of a batch of " + batch + " (bytes)",
                Limits.product(batch, new FlopCounter(c).activationBytes()),
                Limits.MAX_ACTIVATION_BYTES,
                "activation_bytes");
    }

    // ---- parameters ----

    private long sharedBackboneParams() {
        long d = c.embedDim();
        long p = d * c.inChans() * c.patchSize() * c.patchSize()
                + d // patch_embed.proj
                + d // cls_token
                + tokens() * d; // pos_embed
        for (int i = 0; i < c.depth(); i++) {
            p += 4 * d // norm1, norm2
                    + 3 * d * d
                    + 3 * d // qkv
                    + d * d
                    + d; // proj
            if (!c.isMoeBlock(i)) {
                long h = c.denseHidden();
                p += d * h + h + h * d + d;
            }
        }
        if (c.isMoe() && c.taskConditioned()) {
            long g = c.gateTaskSpecificDim();
            p += c.tasks().size() * g + g + g * g + g + 2 * g; // gate_task_represent
        }
        return p;
    }

    private long oneExpertParams() {
        long d = c.embedDim();
        long h = c.moeHidden();
        return h * d + h + d * h + d;
    }

    private long expertParams() {
        return c.moeLayers().size() * (long) c.moeExperts() * oneExpertParams();
    }

    private long activeExpertParams() {
        return c.moeLayers().size() * (long) c.moeTopK() * oneExpertParams();
    }

    /** One gate's parameters: w_gate, and for noisy_topk a w_noise as large (it learns its noise scale). */
    private long oneGateParams() {
        return gateInputDim() * c.moeExperts() * (c.moe().gate() == GateType.NOISY_TOPK ? 2 : 1);
    }

    /** Parameters of a layer's routing condition: attribute routing embeds the vector, Linear(A→D) + LayerNorm(D). */
    private long routingConditionParams() {
        return c.routing().equals("attribute")
                ? (long) AttributeCondition.DEFAULT_ATTRIBUTES * c.embedDim() + 3L * c.embedDim()
                : 0;
    }

    /** Width of the rows a gate scores, per routing condition (see moe.RoutingConditions). */
    private long gateInputDim() {
        return switch (c.routing()) {
            case "task_conditioned" -> c.embedDim() + c.gateTaskSpecificDim();
            case "modality" -> VisionTransformerMoe.MODALITIES;
            case "task" -> c.tasks().size();
            default -> c.embedDim(); // token, context, attribute (its embedding is D wide)
        };
    }

    /** w_gate parameters for {@code tasks} pathways: one gate per task in multi-gate mode, else the shared one. */
    private long gateParams(int tasks) {
        int gates = c.multiGate() ? tasks : 1;
        return c.moeLayers().size() * (oneGateParams() * gates + routingConditionParams());
    }

    public long headParams(Task t) {
        return params(headOps(t));
    }

    // ---- operations (the one shape walk) and their multiply-adds ----

    /** Tokens L = N+1 (cls included). */
    public long tokens() {
        return c.numPatches() + 1L;
    }

    /** patch_embed.proj on the image, with cls_token and pos_embed (read once per image). */
    public List<Op> patchEmbedOps() {
        long d = c.embedDim();
        long kernel = (long) c.inChans() * c.patchSize() * c.patchSize();
        long pixels = (long) c.inChans() * c.imgHeight() * c.imgWidth();
        return List.of(new Op(
                "patch_embed", d * kernel + d + d + tokens() * d, c.numPatches() * d * kernel, pixels, tokens() * d));
    }

    /** LN1, qkv, attention (q·kᵀ and attn·v, all heads) and proj of one block. */
    public List<Op> attentionOps() {
        long l = tokens();
        long d = c.embedDim();
        return List.of(
                new Op("norm1", 2 * d, 2 * l * d, l * d, l * d),
                new Op("qkv", 3 * d * d + 3 * d, l * d * 3 * d, l * d, 3 * l * d),
                new Op("attention", 0, 2 * l * l * d, 3 * l * d, l * d),
                new Op("proj", d * d + d, l * d * d, l * d, l * d));
    }

    /**
     * LN2 and the FFN of block i without its experts: the dense MLP, or the MoE router (this task's gate).
     * The experts of an MoE block are {@link #expertOps(long)}, because their work depends on routing.
     */
    public List<Op> ffnOps(int i) {
        long l = tokens();
        long d = c.embedDim();
        Op norm2 = new Op("norm2", 2 * d, 2 * l * d, l * d, l * d);
        if (c.isMoeBlock(i)) {
            long g = gateInputDim();
            return List.of(
                    norm2,
                    new Op(
                            "gate",
                            oneGateParams() + routingConditionParams(),
                            l * g * c.moeExperts(),
                            l * g,
                            l * c.moeExperts()));
        }
        long h = c.denseHidden();
        return List.of(
                norm2,
                new Op("fc1", d * h + h, l * d * h, l * d, l * h),
                new Op("fc2", h * d + d, l * h * d, l * h, l * d));
    }

    /** Every op of block i, experts excluded (see {@link #expertOps(long)}). */
    public List<Op> blockOps(int i) {
        List<Op> ops = new ArrayList<>(attentionOps());
        ops.addAll(ffnOps(i));
        return ops;
    }

    /**
     * One expert's two linears on {@code tokens} queued tokens: fc1 (htoh4) with GELU, then fc2 (h4toh),
     * whose outputs are scaled by the gate score and added into the layer output (the combine, tokens·D).
     */
    public List<Op> expertOps(long tokens) {
        long d = c.embedDim();
        long h = c.moeHidden();
        return List.of(
                new Op("expert_fc1", h * d + h, tokens * d * h, tokens * d, tokens * h),
                new Op("expert_fc2", d * h + d, tokens * h * d + tokens * d, tokens * h, tokens * d));
    }

    /** The task embedding f_t of task-conditioned routing (once per pathway); empty in the other modes. */
    public List<Op> taskEmbeddingOps() {
        if (!c.taskConditioned()) {
            return List.of();
        }
        long g = c.gateTaskSpecificDim();
        long t = c.tasks().size();
        return List.of(new Op("task_embedding", t * g + g + g * g + g + 2 * g, t * g + g * g + 2 * g, t, g));
    }

    /**
     * The up-head of task t: LN, four conv3×3 (+ BatchNorm folded in, 1 multiply-add per output) at H/16 …
     * H/2, and the 1×1 classifier. The ×2 bilinear upsamplings are fused into the next op's input (it
     * reads the small map), and the last one into conv_4's output, which is the full-size prediction.
     */
    public List<Op> headOps(Task t) {
        long n = c.numPatches();
        long d = c.embedDim();
        long ch = c.headChannels();
        long out = c.tasks().channels(t);
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("head_norm", 2 * d, 2 * n * d, tokens() * d, n * d));
        long pixels = n;
        long in = d;
        long inValues = n * d;
        for (int i = 0; i < 4; i++) {
            ops.add(new Op(
                    "conv_" + i, ch * in * 9 + ch + 2 * ch, pixels * ch * in * 9 + pixels * ch, inValues, pixels * ch));
            inValues = pixels * ch;
            in = ch;
            if (i < 3) {
                pixels *= 4;
            }
        }
        ops.add(new Op("conv_4", out * ch + out, pixels * out * ch, inValues, out * c.imgHeight() * c.imgWidth()));
        return ops;
    }

    public static long macs(List<Op> ops) {
        return ops.stream().mapToLong(Op::macs).sum();
    }

    public static long params(List<Op> ops) {
        return ops.stream().mapToLong(Op::params).sum();
    }

    private long attentionHalfMacs() {
        return macs(attentionOps());
    }

    private long ffnHalfMacs(int i) {
        long macs = macs(ffnOps(i));
        if (c.isMoeBlock(i)) {
            macs += macs(expertOps(c.moeTopK() * tokens())); // the k active experts of every token
        }
        return macs;
    }

    /** Patch embedding, blocks before the first router, and that block's LN1 + attention. */
    private long prefixMacs() {
        long macs = macs(patchEmbedOps());
        int first = c.firstMoeBlock();
        for (int i = 0; i < first; i++) {
            macs += attentionHalfMacs() + ffnHalfMacs(i);
        }
        if (first < c.depth()) {
            macs += attentionHalfMacs();
        }
        return macs;
    }

    /** Everything from the first router on (per task pathway). */
    private long suffixMacs() {
        int first = c.firstMoeBlock();
        if (first >= c.depth()) {
            return 0;
        }
        long macs = ffnHalfMacs(first);
        for (int i = first + 1; i < c.depth(); i++) {
            macs += attentionHalfMacs() + ffnHalfMacs(i);
        }
        return macs + macs(taskEmbeddingOps()); // f_t for this task
    }

    public long headMacs(Task t) {
        return macs(headOps(t));
    }
}
