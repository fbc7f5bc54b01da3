package org.m3vit.model;

import java.util.ArrayList;
import java.util.List;
import org.m3vit.config.ModelConfig;
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

    public FlopCounter(ModelConfig c) {
        this.c = c;
    }

    /** One row of the report. */
    public record Row(String name, long params, long activeParams, long backboneMacs, long headMacs) {
        public long flops() {
            return 2 * (backboneMacs + headMacs);
        }
    }

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

    // ---- parameters ----

    private long tokens() {
        return c.numPatches() + 1L;
    }

    private long sharedBackboneParams() {
        long d = c.embedDim();
        long p = d * c.inChans() * c.patchSize() * c.patchSize() + d // patch_embed.proj
                + d // cls_token
                + tokens() * d; // pos_embed
        for (int i = 0; i < c.depth(); i++) {
            p += 4 * d // norm1, norm2
                    + 3 * d * d + 3 * d // qkv
                    + d * d + d; // proj
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
        // noisy_topk learns its noise scale: a w_noise as large as w_gate
        long perGate = gateInputDim() * c.moeExperts() * (c.moe().gate() == GateType.NOISY_TOPK ? 2 : 1);
        int gates = c.multiGate() ? tasks : 1;
        // attribute routing embeds the attribute vector: Linear(A→D) + LayerNorm(D) per layer
        long attribute = c.routing().equals("attribute")
                ? (long) AttributeCondition.DEFAULT_ATTRIBUTES * c.embedDim() + 3L * c.embedDim() : 0;
        return c.moeLayers().size() * (perGate * gates + attribute);
    }

    public long headParams(Task t) {
        long d = c.embedDim();
        long ch = c.headChannels();
        long out = c.tasks().channels(t);
        return 2 * d // norm
                + ch * d * 9 + ch // conv_0
                + 3 * (ch * ch * 9 + ch) // conv_1..3
                + out * ch + out // conv_4
                + 4 * 2 * ch; // syncbn_fc_0..3 weight, bias
    }

    // ---- multiply-adds ----

    private long attentionHalfMacs() {
        long l = tokens();
        long d = c.embedDim();
        return 2 * l * d // norm1
                + l * d * 3 * d // qkv
                + 2 * l * l * d // q·kᵀ and attn·v
                + l * d * d; // proj
    }

    private long ffnHalfMacs(int i) {
        long l = tokens();
        long d = c.embedDim();
        long macs = 2 * l * d; // norm2
        if (c.isMoeBlock(i)) {
            long h = c.moeHidden();
            long k = c.moeTopK();
            macs += l * gateInputDim() * c.moeExperts() // gate
                    + k * l * 2 * d * h // k active experts per token
                    + k * l * d; // weighted combination
        } else {
            macs += 2 * l * d * c.denseHidden();
        }
        return macs;
    }

    /** Patch embedding, blocks before the first router, and that block's LN1 + attention. */
    private long prefixMacs() {
        long macs = (long) c.numPatches() * c.embedDim() * c.inChans() * c.patchSize() * c.patchSize();
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
        if (c.taskConditioned()) {
            long g = c.gateTaskSpecificDim();
            macs += c.tasks().size() * g + g * g + 2 * g; // f_t for this task
        }
        return macs;
    }

    public long headMacs(Task t) {
        long n = c.numPatches();
        long d = c.embedDim();
        long ch = c.headChannels();
        long macs = 2 * n * d; // norm
        long pixels = n;
        for (int i = 0; i < 4; i++) {
            long in = i == 0 ? d : ch;
            macs += pixels * ch * in * 9 + pixels * ch; // conv3x3 + BN
            if (i < 3) {
                pixels *= 4;
            }
        }
        macs += pixels * c.tasks().channels(t) * ch; // conv_4 (1x1) at H/2 × W/2
        return macs;
    }
}
