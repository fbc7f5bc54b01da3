package org.m3vit.moe;

import org.m3vit.errors.InvalidInputException;

/**
 * Everything that configures an MoE layer apart from its widths: experts and top-k, the gate and its
 * noise, what the router sees (routing condition), whether each task has its own gate, how tokens reach
 * experts (dispatch), capacity, and the expert kind. A model config nests one; {@link MoeLayer.Builder#spec}
 * takes it as it is, so there is no second translation of these settings.
 *
 * @param experts E
 * @param topK k, experts per token
 * @param gate how logits become choices
 * @param noiseStd training noise: σ = noiseStd / E for noisy_vmoe and topk_softmax
 * @param routing a {@link RoutingConditions} id
 * @param multiGate one gate per task, selected by the routing context's task id
 * @param taskDim G, the task-embedding width for task_conditioned routing (-1: none)
 * @param dispatch a {@link Dispatchers} id
 * @param capacityFactor expert capacity factor; 0 = unlimited
 * @param batchPrioritized V-MoE batch-prioritised routing when capacity is limited
 * @param expertKind what one expert computes
 */
public record MoeSpec(
        int experts,
        int topK,
        GateType gate,
        float noiseStd,
        String routing,
        boolean multiGate,
        int taskDim,
        String dispatch,
        double capacityFactor,
        boolean batchPrioritized,
        ExpertKind expertKind) {

    /** Validates every field; errors name the field. */
    public MoeSpec {
        if (experts < 1) {
            throw InvalidInputException.field("experts", "must be >= 1, got " + experts);
        }
        if (topK < 1 || topK > experts) {
            throw InvalidInputException.field("top_k", "must be between 1 and experts (" + experts + "), got " + topK);
        }
        if (gate == null) {
            throw InvalidInputException.field("gate", "no gate type given");
        }
        if (!(noiseStd >= 0) || Float.isInfinite(noiseStd)) {
            throw InvalidInputException.field("noise_std", "must be a finite number >= 0, got " + noiseStd);
        }
        RoutingConditions.check(routing);
        Dispatchers.check(dispatch);
        if (!(capacityFactor >= 0) || Double.isInfinite(capacityFactor)) {
            throw InvalidInputException.field(
                    "capacity_factor", "must be a finite number >= 0 (0 = no limit), got " + capacityFactor);
        }
        if (expertKind == null) {
            throw InvalidInputException.field("expert_kind", "no expert kind given");
        }
    }

    /** M³ViT's defaults: 16 FFN experts, top-4, noisy_vmoe without noise, token routing, a gate per task. */
    public static MoeSpec m3vitDefaults() {
        return new MoeSpec(
                16, 4, GateType.NOISY_VMOE, 0f, "token", true, -1, Dispatchers.REORDERED, 0, false, ExpertKind.FFN);
    }

    public MoeSpec withExperts(int e, int k) {
        return new MoeSpec(
                e,
                k,
                gate,
                noiseStd,
                routing,
                multiGate,
                taskDim,
                dispatch,
                capacityFactor,
                batchPrioritized,
                expertKind);
    }

    public MoeSpec withDispatch(String d) {
        return new MoeSpec(
                experts,
                topK,
                gate,
                noiseStd,
                routing,
                multiGate,
                taskDim,
                d,
                capacityFactor,
                batchPrioritized,
                expertKind);
    }

    public MoeSpec withRouting(String r, boolean perTaskGates, int g) {
        return new MoeSpec(
                experts,
                topK,
                gate,
                noiseStd,
                r,
                perTaskGates,
                g,
                dispatch,
                capacityFactor,
                batchPrioritized,
                expertKind);
    }

    /** Whether the decision depends on the tokens (false: it can be precomputed per condition, and linear experts merged). */
    public boolean contentDependent() {
        return routing.equals("token") || routing.equals("task_conditioned") || routing.equals("context");
    }
}
