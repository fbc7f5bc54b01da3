package org.m3vit.moe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import org.m3vit.nn.Checks;
import org.m3vit.nn.TorchInit;

/**
 * E two-layer FFN experts, expert_e(x) = W2_e · GELU(W1_e·x + b1_e) + b2_e with exact (erf) GELU.
 * Stored as the reference (fastmoe) stores them: {@code htoh4.weight} (E, H, D), {@code htoh4.bias}
 * (E, H), {@code h4toh.weight} (E, D, H), {@code h4toh.bias} (E, D). Weights start from
 * kaiming_uniform(a=√5) on the 3-D tensor (fan-in = out·in, as fastmoe sees it), biases from zero.
 */
public final class FfnExperts extends Experts {

    private final int experts;
    private final long dim;
    private final long hidden;
    private final Parameter w1;
    private final Parameter b1;
    private final Parameter w2;
    private final Parameter b2;

    public FfnExperts(int experts, long dim, long hidden) {
        Checks.positive("experts", experts);
        Checks.positive("expert input dimension", dim);
        Checks.positive("expert hidden dimension", hidden);
        this.experts = experts;
        this.dim = dim;
        this.hidden = hidden;
        w1 = addParameter(weight("htoh4.weight", new Shape(experts, hidden, dim)));
        b1 = addParameter(bias("htoh4.bias", new Shape(experts, hidden)));
        w2 = addParameter(weight("h4toh.weight", new Shape(experts, dim, hidden)));
        b2 = addParameter(bias("h4toh.bias", new Shape(experts, dim)));
    }

    static Parameter weight(String name, Shape shape) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .optInitializer(TorchInit.kaimingUniformSqrt5())
                .build();
    }

    static Parameter bias(String name, Shape shape) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.BIAS)
                .optShape(shape)
                .optInitializer(TorchInit.zeros())
                .build();
    }

    @Override
    public int count() {
        return experts;
    }

    @Override
    public long inputDim() {
        return dim;
    }

    @Override
    public long outputDim() {
        return dim;
    }

    public long hiddenDim() {
        return hidden;
    }

    /** weights: htoh4.weight (H, D), htoh4.bias (H), h4toh.weight (D, H), h4toh.bias (D). */
    @Override
    public NDArray applyOne(NDArray[] weights, NDArray tokens) {
        NDArray h =
                Activation.gelu(Linear.linear(tokens, weights[0], weights[1]).singletonOrThrow());
        return Linear.linear(h, weights[2], weights[3]).singletonOrThrow();
    }

    @Override
    public NDArray applyAll(ParameterStore ps, NDArray tokens, boolean training) {
        Device device = tokens.getDevice();
        // (T, D) @ (E, D, H) broadcasts to (E, T, H).
        NDArray h = tokens.matMul(ps.getValue(w1, device, training).transpose(0, 2, 1))
                .add(ps.getValue(b1, device, training).expandDims(1));
        h = Activation.gelu(h);
        return h.matMul(ps.getValue(w2, device, training).transpose(0, 2, 1))
                .add(ps.getValue(b2, device, training).expandDims(1));
    }
}
