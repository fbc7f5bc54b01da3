package org.m3vit.model;

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
 * result of the call (for balancing losses and expert counts). A new one is made for every block call, so the blocks themselves stay stateless and can be
 * shared across threads.
 */
public final class BlockCall {

    private final RoutingContext context;
    private final ExpertSource experts;
    private final Map<String, RoutingDecision> shared = new HashMap<>();
    private final Map<String, MoeOutput> routed = new LinkedHashMap<>();

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
