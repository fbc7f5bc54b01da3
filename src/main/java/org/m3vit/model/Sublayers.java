package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.m3vit.moe.MoeLayer;
import org.m3vit.moe.MoeOutput;
import org.m3vit.moe.MoeSpec;
import org.m3vit.moe.RoutingDecision;
import org.m3vit.nn.LinearLayer;

/** The sublayer kinds blocks are assembled from: dense linears and MLPs, and their MoE counterparts. */
public final class Sublayers {

    private Sublayers() {}

    /** Dense timm-initialised linears for the attention projections. */
    public static Sublayer.ProjectionFactory denseProjections() {
        return (role, in, out) -> {
            LinearLayer linear = LinearLayer.vit(in, out);
            return new Sublayer() {
                @Override
                public Block block() {
                    return linear;
                }

                @Override
                public void initialize(NDManager manager, DataType dataType) {
                    linear.initialize(manager, dataType, new Shape(1, in));
                }

                @Override
                public NDArray forward(ParameterStore ps, NDArray x, BlockCall call, boolean training) {
                    return linear.forward(ps, x, training);
                }
            };
        };
    }

    /** The dense ViT FFN: fc1 → GELU → fc2 as dense linears. */
    public static Sublayer.FeedForwardFactory mlp(long hidden) {
        return projectedMlp(hidden, denseProjections());
    }

    /**
     * An FFN whose two linears come from {@code projections}; with {@link #expertProjections} it is an FFN of
     * two linear-expert layers sharing one routing decision.
     */
    public static Sublayer.FeedForwardFactory projectedMlp(long hidden, Sublayer.ProjectionFactory projections) {
        return dim -> {
            ProjectedMlp mlp = new ProjectedMlp(dim, hidden, projections);
            return new Sublayer() {
                @Override
                public Block block() {
                    return mlp;
                }

                @Override
                public void initialize(NDManager manager, DataType dataType) {
                    mlp.initialize(manager, dataType, new Shape(1, 1, dim));
                }

                @Override
                public NDArray forward(ParameterStore ps, NDArray x, BlockCall call, boolean training) {
                    return mlp.forward(ps, x, call, training);
                }
            };
        };
    }

    /** M³ViT's MoE FFN: one router, FFN experts of width {@code hidden}; its result is recorded as "mlp". */
    public static Sublayer.FeedForwardFactory moeFfn(MoeSpec spec, long hidden, int tasks, int modalities) {
        return dim -> routed(
                "mlp",
                MoeLayer.builder()
                        .dim(dim)
                        .hidden(hidden)
                        .spec(spec, tasks)
                        .modalities(modalities)
                        .build(),
                null);
    }

    /**
     * Attention projections as linear experts that share one routing decision (Uni-Perceiver-MoE): the
     * first projection the factory builds (qkv) has the router, later ones (proj) apply its decision.
     */
    public static Sublayer.ProjectionFactory expertProjections(MoeSpec spec, int tasks, String group) {
        return expertProjections(spec, tasks, 0, group);
    }

    /** {@link #expertProjections(MoeSpec, int, String)} whose router may see {@code modalities} token modalities. */
    public static Sublayer.ProjectionFactory expertProjections(MoeSpec spec, int tasks, int modalities, String group) {
        boolean[] routerBuilt = {false};
        return (role, in, out) -> {
            MoeLayer.Builder b = MoeLayer.builder()
                    .dim(in)
                    .linearExperts(out)
                    .spec(spec, tasks)
                    .modalities(modalities);
            if (routerBuilt[0]) {
                b.withoutRouter();
            }
            routerBuilt[0] = true;
            return routed(group + "." + role, b.build(), group);
        };
    }

    /**
     * An MoE sublayer. With a {@code group}, the first sublayer of the group to run in a call routes and
     * shares its decision; the others apply it. A call carrying {@link MergedExperts} that has this layer's
     * merged weights applies those instead (no routing, nothing recorded).
     */
    static Sublayer routed(String role, MoeLayer layer, String group) {
        return new Sublayer() {
            @Override
            public Block block() {
                return layer;
            }

            @Override
            public void initialize(NDManager manager, DataType dataType) {
                layer.initialize(manager, dataType);
            }

            @Override
            public NDArray forward(ParameterStore ps, NDArray x, BlockCall call, boolean training) {
                MergedExperts merged = call.mergedExperts();
                NDArray y = merged == null ? null : merged.apply(ps, layer, x);
                if (y != null) {
                    return y;
                }
                RoutingDecision d = group == null ? null : call.sharedDecision(group);
                if (d == null) {
                    d = layer.route(ps, x, call.routingContext(), training);
                    if (group != null) {
                        call.share(group, d);
                    }
                }
                MoeOutput out = new MoeOutput(layer.apply(ps, x, d, call.expertSource(), training), d);
                call.record(role, out);
                return out.output();
            }
        };
    }
}
