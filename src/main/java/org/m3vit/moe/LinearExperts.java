package org.m3vit.moe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import org.m3vit.nn.Checks;

/**
 * E single-linear experts (Uni-Perceiver-MoE conditional linear layers): expert_e(x) = W_e·x + b_e
 * with {@code weight} (E, out, in) and {@code bias} (E, out). Because each expert is linear, a fixed
 * choice of experts and scores can be merged into one dense layer ({@link #merge}).
 */
public final class LinearExperts extends Experts {

    private final int experts;
    private final long in;
    private final long out;
    private final Parameter weight;
    private final Parameter bias;

    public LinearExperts(int experts, long in, long out) {
        Checks.positive("experts", experts);
        Checks.positive("expert input dimension", in);
        Checks.positive("expert output dimension", out);
        this.experts = experts;
        this.in = in;
        this.out = out;
        weight = addParameter(FfnExperts.weight("weight", new Shape(experts, out, in)));
        bias = addParameter(FfnExperts.bias("bias", new Shape(experts, out)));
    }

    @Override
    public int count() {
        return experts;
    }

    @Override
    public long inputDim() {
        return in;
    }

    @Override
    public long outputDim() {
        return out;
    }

    /** weights: weight (out, in), bias (out). */
    @Override
    public NDArray applyOne(NDArray[] weights, NDArray tokens) {
        return Linear.linear(tokens, weights[0], weights[1]).singletonOrThrow();
    }

    @Override
    public NDArray applyAll(ParameterStore ps, NDArray tokens, boolean training) {
        Device device = tokens.getDevice();
        return tokens.matMul(ps.getValue(weight, device, training).transpose(0, 2, 1))
                .add(ps.getValue(bias, device, training).expandDims(1));
    }

    /**
     * Re-parameterisation: W = Σ_j s_j·W_{i_j}, b = Σ_j s_j·b_{i_j} for one decision (indices (k),
     * scores (k)). Applying the merged layer equals combining the chosen experts' outputs exactly.
     *
     * @return [W (out, in), b (out)]
     */
    public NDArray[] merge(ParameterStore ps, NDArray indices, NDArray scores, boolean training) {
        Checks.shape("merge indices", indices, -1);
        Checks.shape("merge scores", scores, indices.getShape().get(0));
        Device device = scores.getDevice();
        NDArray w = ps.getValue(weight, device, training).get(indices);
        NDArray b = ps.getValue(bias, device, training).get(indices);
        NDArray s = scores.reshape(-1, 1, 1);
        return new NDArray[] {
            w.mul(s).sum(new int[] {0}), b.mul(s.reshape(-1, 1)).sum(new int[] {0})
        };
    }
}
