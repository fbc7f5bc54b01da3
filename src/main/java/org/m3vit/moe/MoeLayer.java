package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.nn.Checks;

/**
 * A sparse Mixture-of-Experts layer: routing condition → gate (one, or one per task) → dispatcher →
 * experts. Parameters are named as in the M³ViT state dict relative to the layer
 * ({@code gate.w_gate} or {@code gate.{t}.w_gate}, {@code experts.htoh4.weight}, …).
 *
 * <p>{@link #route} and {@link #apply} are the two halves of {@link #forward}: a decision made by one
 * layer's router can be applied by other layers of the same block (built {@link Builder#withoutRouter()}).
 * The layer keeps no per-call state, so one layer can serve concurrent calls.
 *
 * <pre>{@code
 * MoeLayer moe = MoeLayer.builder().dim(384).hidden(384).experts(16).topK(4)
 *         .gate("noisy_vmoe").multiGate(5).build();
 * moe.initialize(manager, DataType.FLOAT32);
 * MoeOutput out = moe.forward(ps, x, RoutingContext.forTask(2), true);
 * }</pre>
 */
public final class MoeLayer extends AbstractBlock {

    private final long dim;
    private final RoutingCondition condition;
    private final List<Gate> gates;
    private final boolean multiGate;
    private final Experts experts;
    private final Dispatcher dispatcher;

    private MoeLayer(Builder b, RoutingCondition condition, Block gateModule, List<Gate> gates, Experts experts) {
        this.dim = b.dim;
        this.multiGate = b.multiGateTasks > 0;
        this.gates = gates;
        if (gateModule != null) {
            addChildBlock("gate", gateModule);
        }
        this.experts = addChildBlock("experts", experts);
        this.condition = condition == null ? null : addChildBlock("condition", condition);
        this.dispatcher = Dispatchers.create(b.dispatch, new CapacityPolicy(b.capacityFactor, b.batchPrioritized));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Initialises every parameter (their shapes are fixed at construction). */
    public void initialize(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(1, 1, dim));
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64 && dataType != DataType.FLOAT16) {
            throw new IllegalArgumentException("MoE parameters must be float32 (or float16/float64), got " + dataType
                    + (dataType == DataType.BFLOAT16 ? "; bfloat16 is not supported by the engine" : ""));
        }
        super.initialize(manager, dataType, inputShapes);
    }

    /**
     * @param x tokens (B, L, D) or (T, D)
     * @param ctx what the routing condition needs (task id for multi-gate, f_t, attributes, modality)
     */
    public MoeOutput forward(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        RoutingDecision decision = route(ps, x, ctx, training);
        return new MoeOutput(apply(ps, x, decision, training), decision);
    }

    /** This layer's router on tokens (B, L, D) or (T, D): every token's experts and weights. */
    public RoutingDecision route(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        if (condition == null) {
            throw new IllegalStateException("this MoE layer was built without a router; apply a decision made by"
                    + " the layer that shares it");
        }
        NDArray seq = sequence(x);
        RouterInput routed = condition.features(ps, seq, ctx, training);
        Gate gate = gates.get(multiGate ? ctx.taskId(gates.size(), "multi-gate routing") : 0);
        GateDecision decision = gate.route(ps, routed.rows(), training);
        NDArray indices = routed.perToken(decision.indices());
        NDArray scores = routed.perToken(decision.scores());
        // token-level rows are the tokens, so the gate's counts are already per token
        NDArray counts = routed.rowOfToken() == null
                ? decision.counts().toType(DataType.INT64, false)
                : indices.oneHot(experts.count()).sum(new int[] {0, 1}).toType(DataType.INT64, false);
        return new RoutingDecision(
                indices, scores, counts, decision.auxLoss(), decision.load(), decision.importance(), experts.count());
    }

    /** This layer's experts on tokens (B, L, D) or (T, D), combined as {@code decision} says. */
    public NDArray apply(ParameterStore ps, NDArray x, RoutingDecision decision, boolean training) {
        return apply(ps, x, decision, ExpertSource.RESIDENT, training);
    }

    /**
     * As {@link #apply(ParameterStore, NDArray, RoutingDecision, boolean)}, with each expert's weights taken
     * from {@code source} (the resident parameters, or streamed); the layer does not know which.
     */
    public NDArray apply(
            ParameterStore ps, NDArray x, RoutingDecision decision, ExpertSource source, boolean training) {
        boolean flat = x.getShape().dimension() == 2;
        NDArray seq = sequence(x);
        Shape inShape = seq.getShape();
        NDArray tokens = RoutingCondition.flatTokens(seq);
        if (decision.experts() != experts.count()
                || decision.tokens() != tokens.getShape().get(0)) {
            throw InvalidInputException.field(
                    "routing decision",
                    "covers " + decision.tokens() + " tokens over "
                            + decision.experts() + " experts, but this layer has " + experts.count()
                            + " experts and got "
                            + tokens.getShape().get(0) + " tokens");
        }
        NDArray y = dispatcher.combine(
                ps, experts, source, tokens, decision.indices(), decision.scores(), decision.expertCounts(), training);
        Shape outShape = flat
                ? new Shape(inShape.get(1), experts.outputDim())
                : new Shape(inShape.get(0), inShape.get(1), experts.outputDim());
        return y.reshape(outShape);
    }

    private NDArray sequence(NDArray x) {
        Checks.floatInput("MoE input", x);
        NDArray seq = x.getShape().dimension() == 2 ? x.expandDims(0) : x;
        Checks.shape("MoE input", seq, -1, -1, dim);
        return seq;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        MoeOutput out = forward(ps, inputs.singletonOrThrow(), RoutingContext.none(), training);
        return new NDList(out.output(), out.auxLoss());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long[] dims = inputShapes[0].getShape().clone();
        dims[dims.length - 1] = experts.outputDim();
        return new Shape[] {new Shape(dims), new Shape()};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (var child : children.values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }

    public long dim() {
        return dim;
    }

    public Experts experts() {
        return experts;
    }

    /** What the router sees; null for a layer built without a router. */
    public RoutingCondition condition() {
        return condition;
    }

    /** Whether this layer has a router of its own ({@link #route} works). */
    public boolean hasRouter() {
        return condition != null;
    }

    /** The gates: one per task in multi-gate mode, otherwise a single shared one; empty without a router. */
    public List<Gate> gates() {
        return gates;
    }

    public boolean isMultiGate() {
        return multiGate;
    }

    /** The dispatcher's {@link Dispatchers} id. */
    public String dispatch() {
        return dispatcher.id();
    }

    /** Builder; {@code dim}, {@code experts} and {@code topK} are required. */
    public static final class Builder {
        private long dim = -1;
        private long hidden = -1;
        private long linearOut = -1;
        private int experts = -1;
        private int topK = -1;
        private GateType gateType = GateType.NOISY_VMOE;
        private float noiseStd = 1f;
        private String dispatch = Dispatchers.REORDERED;
        private String condition = "token";
        private int multiGateTasks;
        private int tasks;
        private long taskDim = -1;
        private int modalities;
        private int attributeDim = AttributeCondition.DEFAULT_ATTRIBUTES;
        private double capacityFactor;
        private boolean batchPrioritized;
        private boolean router = true;

        /** Token width D. */
        public Builder dim(long d) {
            dim = d;
            return this;
        }

        /** FFN experts with hidden width H (the default expert kind). */
        public Builder hidden(long h) {
            hidden = h;
            return this;
        }

        /** Single-linear experts D → out instead of FFN experts. */
        public Builder linearExperts(long out) {
            linearOut = out;
            return this;
        }

        public Builder experts(int e) {
            experts = e;
            return this;
        }

        public Builder topK(int k) {
            topK = k;
            return this;
        }

        public Builder gate(String name) {
            return gate(GateType.parse(name));
        }

        public Builder gate(GateType type) {
            gateType = type;
            return this;
        }

        /** noise_std: σ = noise_std / E at training time for noisy_vmoe and topk_softmax. Default 1. */
        public Builder noiseStd(float std) {
            noiseStd = std;
            return this;
        }

        /** A {@link Dispatchers} id; default reordered. */
        public Builder dispatch(String id) {
            dispatch = Dispatchers.check(id);
            return this;
        }

        /** What the router sees: a {@link RoutingConditions} id. Default "token". */
        public Builder condition(String name) {
            condition = name;
            return this;
        }

        /** One gate per task, selected by the context's task id (M³ViT multi-gate). */
        public Builder multiGate(int numTasks) {
            Checks.positive("number of tasks for multi-gate", numTasks);
            multiGateTasks = numTasks;
            return this;
        }

        /** Number of tasks, for the "task" and "task_conditioned" conditions. */
        public Builder tasks(int numTasks) {
            tasks = numTasks;
            return this;
        }

        /** G, the task-embedding width of the "task_conditioned" condition. */
        public Builder taskDim(long g) {
            taskDim = g;
            return this;
        }

        public Builder modalities(int m) {
            modalities = m;
            return this;
        }

        public Builder attributeDim(int a) {
            attributeDim = a;
            return this;
        }

        /** Expert capacity factor; 0 (default) means no limit and no dropped tokens. */
        public Builder capacityFactor(double factor) {
            capacityFactor = factor;
            return this;
        }

        public Builder batchPrioritized(boolean on) {
            batchPrioritized = on;
            return this;
        }

        /**
         * No router of its own: the layer only holds experts and applies decisions made by another layer's
         * router in the same block ({@link MoeLayer#apply}).
         */
        public Builder withoutRouter() {
            router = false;
            return this;
        }

        /**
         * Everything but the widths from a spec, as it is: experts, top-k, gate, noise, routing condition,
         * per-task gates ({@code tasks} gates when {@code spec.multiGate()}), dispatch and capacity. The
         * expert kind needs its width: {@link #hidden} for FFN experts, {@link #linearExperts} for linear ones.
         */
        public Builder spec(MoeSpec spec, int numTasks) {
            experts = spec.experts();
            topK = spec.topK();
            gateType = spec.gate();
            noiseStd = spec.noiseStd();
            condition = spec.routing();
            dispatch = spec.dispatch();
            capacityFactor = spec.capacityFactor();
            batchPrioritized = spec.batchPrioritized();
            tasks = numTasks;
            taskDim = spec.taskDim();
            multiGateTasks = spec.multiGate() ? numTasks : 0;
            return this;
        }

        public MoeLayer build() {
            Checks.positive("dim", dim);
            Checks.positive("experts", experts);
            Checks.positive("top_k", topK);
            if (topK > experts) {
                throw new IllegalArgumentException(
                        "top_k must be <= experts, got top_k=" + topK + " experts=" + experts);
            }
            if ((hidden > 0) == (linearOut > 0)) {
                throw new IllegalArgumentException(
                        hidden <= 0 && linearOut <= 0
                                ? "set the expert hidden width (hidden, must be >= 1) or linearExperts(out)"
                                : "choose FFN experts (hidden) or linear experts (linearExperts), not both");
            }
            new CapacityPolicy(capacityFactor, batchPrioritized); // validates before anything is built
            Experts ex = hidden > 0 ? new FfnExperts(experts, dim, hidden) : new LinearExperts(experts, dim, linearOut);
            if (!router) {
                return new MoeLayer(this, null, null, List.of(), ex);
            }
            RoutingCondition cond = RoutingConditions.create(
                    condition,
                    new RoutingConditions.Params(dim, tasks, taskDim, modalities, attributeDim, multiGateTasks > 0));
            List<Gate> gateList = new ArrayList<>();
            int gateCount = Math.max(1, multiGateTasks);
            for (int t = 0; t < gateCount; t++) {
                gateList.add(Gate.create(gateType, cond.featureDim(), experts, topK, noiseStd));
            }
            Block gateModule = multiGateTasks > 0 ? new GateList(gateList) : gateList.get(0);
            return new MoeLayer(this, cond, gateModule, List.copyOf(gateList), ex);
        }
    }

    @Override
    public String toString() {
        if (condition == null) {
            return "MoeLayer(dim=" + dim + ", experts=" + experts.count() + ", shared routing, dispatch="
                    + dispatcher.id() + ")";
        }
        return "MoeLayer(dim=" + dim + ", experts=" + experts.count() + ", top_k="
                + gates.get(0).topK()
                + ", gate=" + gates.get(0).type().id() + ", condition=" + condition.id()
                + (multiGate ? ", multi_gate=" + gates.size() : "") + ", dispatch=" + dispatcher.id() + ")";
    }
}
