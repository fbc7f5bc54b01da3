package org.m3vit.generalist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.model.MergedExperts;
import org.m3vit.model.VitBlock;
import org.m3vit.moe.LinearExperts;
import org.m3vit.moe.MoeLayer;
import org.m3vit.moe.RoutingContext;
import org.m3vit.moe.RoutingDecision;

/**
 * Expert re-parameterisation for inference (Uni-Perceiver-MoE §4). With modality-, task- or
 * attribute-level routing the decision is a function of the segment's condition alone, and every expert
 * is linear, so each linear-expert layer's chosen experts merge into one dense layer per (layer,
 * condition): W = Σ_k g_k·W_{i_k}, b = Σ_k g_k·b_{i_k}. The router of a group (qkv for attention, fc1 for
 * the FFN) decides once per condition and the shared layers (proj, fc2) merge with the same decision, as
 * the unmerged model shares it. Merged weights are computed once, on first use or by {@link #warmUp}, and
 * cached; afterwards the encoder runs one dense GEMM per segment, exactly like the dense model.
 *
 * <p>Thread-safe. Its arrays live on the manager given at construction; close that to free them.
 */
public final class Reparameterisation {

    private final String level;
    private final NDManager manager;
    /** Every linear-expert layer → the layer whose router decides for it (itself for a router). */
    private final Map<MoeLayer, MoeLayer> routerOf = new IdentityHashMap<>();

    private final Map<MoeLayer, Map<String, NDArray[]>> cache = new IdentityHashMap<>();

    private Reparameterisation(String level, NDManager manager) {
        this.level = level;
        this.manager = manager;
    }

    /**
     * The merged experts of {@code model}, or null when its routing depends on the tokens (token, context),
     * it has no MoE, or its experts are FFNs (a GELU between two linears cannot be merged).
     */
    public static Reparameterisation of(GeneralistModel model, NDManager manager) {
        var c = model.config();
        if (!c.moe() || c.contentDependentRouting()) {
            return null;
        }
        Reparameterisation r = new Reparameterisation(c.moeSpec().routing(), manager);
        for (VitBlock block : model.blocks()) {
            r.collect(block);
        }
        return r.routerOf.isEmpty() ? null : r;
    }

    /** Finds every routing group of linear experts: a routing layer followed by the layers sharing it. */
    private void collect(Block block) {
        MoeLayer router = null;
        for (Pair<String, Block> child : block.getChildren()) {
            Block b = child.getValue();
            if (b instanceof MoeLayer layer) {
                if (!(layer.experts() instanceof LinearExperts)) {
                    continue;
                }
                if (layer.hasRouter()) {
                    router = layer;
                }
                if (router != null) {
                    routerOf.put(layer, router);
                }
            } else {
                collect(b);
            }
        }
    }

    /** The routing level whose conditions are merged. */
    public String level() {
        return level;
    }

    /** Number of (layer, condition) pairs merged so far. */
    public synchronized int cached() {
        return cache.values().stream().mapToInt(Map::size).sum();
    }

    /** Merges every layer for each of {@code layouts}' segments now (at load), so no call pays for it. */
    public void warmUp(ParameterStore ps, List<List<Segment>> layouts, int task) {
        for (List<Segment> segments : layouts) {
            for (Segment s : segments) {
                for (MoeLayer layer : routerOf.keySet()) {
                    merged(ps, layer, s, task);
                }
            }
        }
    }

    /** The merged experts of one encoder call whose positions split into {@code segments}. */
    MergedExperts forCall(List<Segment> segments, int task) {
        return (ps, layer, x) -> {
            if (!routerOf.containsKey(layer)) {
                return null;
            }
            NDList parts = new NDList();
            for (Segment s : segments) {
                NDArray[] wb = merged(ps, layer, s, task);
                NDArray xs = segments.size() == 1 ? x : x.get(":, {}:{}", s.start(), s.end());
                parts.add(Linear.linear(xs, wb[0], wb[1]).singletonOrThrow());
            }
            return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
        };
    }

    /** [W (out, in), b (out)] of {@code layer} for the condition of segment {@code s}, merged once. */
    synchronized NDArray[] merged(ParameterStore ps, MoeLayer layer, Segment s, int task) {
        String key = s.conditionKey(level, task);
        Map<String, NDArray[]> byCondition = cache.computeIfAbsent(layer, k -> new HashMap<>());
        NDArray[] wb = byCondition.get(key);
        if (wb != null) {
            return wb;
        }
        MoeLayer router = routerOf.get(layer);
        try (NDScope scope = new NDScope();
                NDManager tmp = manager.newSubManager()) {
            NDArray probe = tmp.zeros(new Shape(1, 1, router.dim()), DataType.FLOAT32);
            RoutingContext ctx = RoutingContext.builder()
                    .task(task)
                    .attributes(tmp.create(s.attributes(), new Shape(1, Attributes.WIDTH)), null)
                    .modality(tmp.create(new long[] {s.modality()}))
                    .build();
            RoutingDecision d = router.route(ps, probe, ctx, false);
            NDArray[] m = ((LinearExperts) layer.experts())
                    .merge(ps, d.indices().get(0), d.scores().get(0), false);
            wb = new NDArray[] {m[0].duplicate(), m[1].duplicate()};
            for (NDArray a : wb) {
                a.attach(manager);
                NDScope.unregister(a);
            }
        }
        byCondition.put(key, wb);
        return wb;
    }
}
