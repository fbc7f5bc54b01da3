package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.moe.ExpertSource;
import org.m3vit.moe.MoeOutput;
import org.m3vit.moe.RoutingContext;
import org.m3vit.moe.RoutingDecision;

/**
 * The per-call state of one block forward: what the routers may condition on, where the experts' weights
 * come from (resident or streamed), the routing decisions that sublayers of the block share, and every MoE
 * result of the call (for balancing losses and expert counts); optionally an additive attention mask
 * (which keys each query may see) and merged experts ({@link MergedExperts}) to use instead of routing. A
 * new one is made for every block call, so the blocks themselves stay stateless and can be shared across
 * threads.
 */
public final class BlockCall {

    private final RoutingContext context;
    private final ExpertSource experts;
    private final Map<String, RoutingDecision> shared = new HashMap<>();
    private final Map<String, MoeOutput> routed = new LinkedHashMap<>();
    private NDArray attentionMask;
    private MergedExperts merged;

    /** A call whose MoE sublayers use their resident expert parameters. */
    public BlockCall(RoutingContext context) {
        this(context, ExpertSource.RESIDENT);
    }

    public BlockCall(RoutingContext context, ExpertSource experts) {
        this.context = context;
        this.experts = experts;
    }

    /** Where the call's MoE sublayers get their experts' weights. */
    public ExpertSource expertSource() {
        return experts;
    }

    /**
     * Adds {@code mask} to the attention logits of this call: 0 where a query may see a key, a large negative
     * number where it may not; any shape that broadcasts to (B, heads, L, L). Null (the default) is no mask.
     */
    public BlockCall withAttentionMask(NDArray mask) {
        this.attentionMask = mask;
        return this;
    }

    /** The additive attention mask, or null. */
    public NDArray attentionMask() {
        return attentionMask;
    }

    /** Makes linear-expert sublayers ask {@code experts} for merged weights before they route. */
    public BlockCall withMergedExperts(MergedExperts experts) {
        this.merged = experts;
        return this;
    }

    /** The merged experts of this call, or null (route and apply). */
    public MergedExperts mergedExperts() {
        return merged;
    }

    public RoutingContext routingContext() {
        return context;
    }

    /** The decision made earlier in this call for {@code group}, or null if none was made yet. */
    public RoutingDecision sharedDecision(String group) {
        return shared.get(group);
    }

    /** Makes {@code decision} the one every later sublayer of {@code group} applies in this call. */
    public void share(String group, RoutingDecision decision) {
        if (shared.putIfAbsent(group, decision) != null) {
            throw new IllegalStateException("routing group '" + group + "' was routed twice in one block call");
        }
    }

    /** Records the MoE result of sublayer {@code role} (e.g. "mlp", "attn.qkv"). */
    public void record(String role, MoeOutput out) {
        routed.put(role, out);
    }

    /** Every MoE result of this call, by sublayer role, in the order they ran. */
    public Map<String, MoeOutput> routed() {
        return routed;
    }
}
