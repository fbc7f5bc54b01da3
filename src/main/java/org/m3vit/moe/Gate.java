package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.m3vit.nn.Checks;
import org.m3vit.nn.Scalars;
import org.m3vit.nn.TorchInit;

/**
 * A router's gate: scores R rows against E experts with {@code w_gate} (d × E, no bias) and picks k
 * experts per row. Subclasses differ only in how logits become choices and in their balancing loss.
 * A gate holds only its weights: every result of a call is returned, never kept, so one gate can serve
 * concurrent calls.
 */
public abstract class Gate extends AbstractBlock {

    protected final long inputDim;
    protected final int experts;
    protected final int topK;
    protected final Parameter wGate;

    protected Gate(long inputDim, int experts, int topK) {
        Checks.positive("gate input dimension", inputDim);
        Checks.positive("experts", experts);
        Checks.positive("top_k", topK);
        if (topK > experts) {
            throw new IllegalArgumentException("top_k must be <= experts, got top_k=" + topK + " experts=" + experts);
        }
        this.inputDim = inputDim;
        this.experts = experts;
        this.topK = topK;
        // kaiming_uniform_(a=sqrt(5)) on a (d, E) tensor: fan_in = E, so U(-1/sqrt(E), 1/sqrt(E)).
        wGate = addParameter(Parameter.builder()
                .setName("w_gate")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(inputDim, experts))
                .optInitializer(TorchInit.kaimingUniformSqrt5())
                .build());
    }

    public abstract GateType type();

    public int experts() {
        return experts;
    }

    public int topK() {
        return topK;
    }

    public long inputDim() {
        return inputDim;
    }

    /** Decides for router rows (R, d). */
    public final GateDecision route(ParameterStore ps, NDArray rows, boolean training) {
        Checks.floatInput("router input", rows);
        Checks.shape("router input", rows, -1, inputDim);
        return decide(ps, rows, training);
    }

    protected abstract GateDecision decide(ParameterStore ps, NDArray rows, boolean training);

    protected NDArray clean(ParameterStore ps, NDArray rows, boolean training) {
        return rows.matMul(ps.getValue(wGate, rows.getDevice(), training));
    }

    /** Per-expert assignment counts and importance (sum of selected scores) of one decision. */
    protected record Assigned(NDArray counts, NDArray importance) {}

    /** Counts and importance from a single one-hot of the choices (R, k, E); counts carry no gradient. */
    protected Assigned assigned(NDArray indices, NDArray scores) {
        NDArray oneHot = indices.oneHot(experts).toType(scores.getDataType(), false);
        NDArray counts = oneHot.sum(new int[] {0, 1});
        NDArray importance = oneHot.mul(scores.expandDims(2)).sum(new int[] {0, 1});
        return new Assigned(counts, importance);
    }

    /**
     * cv² = Var(x) / (mean(x)² + 1e-10) with the unbiased variance, as fastmoe and M³ViT compute it;
     * 0 for a single expert, where the unbiased variance is undefined.
     */
    static NDArray cvSquared(NDArray x) {
        long n = x.getShape().get(0);
        if (n <= 1) {
            return x.getManager().zeros(new Shape(), x.getDataType()).toDevice(x.getDevice(), false);
        }
        NDArray mean = x.mean();
        NDArray var = x.sub(mean).square().sum().div(Scalars.of(x, n - 1));
        return var.div(mean.square().add(1e-10f));
    }

    /** Standard normal CDF Φ(z) = (1 + erf(z/√2)) / 2. */
    static NDArray normalCdf(NDArray z) {
        return z.mul(Scalars.of(z, 1.0 / Math.sqrt(2.0))).erf().add(1f).mul(Scalars.of(z, 0.5));
    }

    /**
     * Shazeer et al.'s smooth estimate of P(row picks expert e) under fresh noise, as fastmoe's
     * {@code _prob_in_top_k}: compared against the (k+1)-th value if the expert is in, else the k-th.
     *
     * @param clean (R, E) noise-free logits
     * @param noisy (R, E) logits with noise
     * @param sigma noise std: a scalar array or (R, E)
     * @param topValues (R, k+1) the values the top-k was taken on, best first
     */
    NDArray probInTopK(NDArray clean, NDArray noisy, NDArray sigma, NDArray topValues) {
        NDArray thresholdIfIn = topValues.get(":, {}", topK).expandDims(1);
        NDArray thresholdIfOut = topValues.get(":, {}", topK - 1).expandDims(1);
        NDArray isIn = noisy.gt(thresholdIfIn);
        NDArray probIfIn = normalCdf(clean.sub(thresholdIfIn).div(sigma));
        NDArray probIfOut = normalCdf(clean.sub(thresholdIfOut).div(sigma));
        return NDArrays.where(isIn, probIfIn, probIfOut);
    }

    protected NDArray zeroLoss(NDArray like) {
        return like.getManager().zeros(new Shape(), like.getDataType()).toDevice(like.getDevice(), false);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        GateDecision d = route(ps, inputs.singletonOrThrow(), training);
        return new NDList(d.indices(), d.scores(), d.auxLoss());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long r = inputShapes[0].get(0);
        return new Shape[] {new Shape(r, topK), new Shape(r, topK), new Shape()};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // gates have no children
    }

    /** Creates a gate of the given type. */
    public static Gate create(GateType type, long inputDim, int experts, int topK, float noiseStd) {
        return switch (type) {
            case NOISY_VMOE -> new NoisyVmoeGate(inputDim, experts, topK, noiseStd);
            case NOISY_TOPK -> new NoisyTopkGate(inputDim, experts, topK);
            case TOPK_SOFTMAX -> new TopkSoftmaxGate(inputDim, experts, topK, noiseStd);
        };
    }
}
