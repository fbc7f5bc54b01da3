package org.m3vit.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * Initialisers with PyTorch's semantics, so that freshly built layers have the same distributions as
 * the reference implementation (fan-in is computed the way {@code torch.nn.init} computes it).
 */
public final class TorchInit {

    private TorchInit() {}

    /**
     * torch fan-in of a weight tensor: {@code size(1) * prod(size(2..))}; for a 1-D tensor, its size.
     * For a stacked expert tensor (E, out, in) this is out·in, as fastmoe's initialisation sees it.
     */
    public static long fanIn(Shape shape) {
        if (shape.dimension() < 2) {
            return shape.size();
        }
        long receptive = 1;
        for (int i = 2; i < shape.dimension(); i++) {
            receptive *= shape.get(i);
        }
        return shape.get(1) * receptive;
    }

    /** {@code kaiming_uniform_(a=sqrt(5))}: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), torch's default for weights. */
    public static Initializer kaimingUniformSqrt5() {
        return (manager, shape, dataType) -> uniform(manager, shape, dataType, 1.0 / Math.sqrt(fanIn(shape)));
    }

    /** U(-bound, bound). torch's default bias init uses bound = 1/sqrt(fan_in of the weight). */
    public static Initializer uniform(double bound) {
        return (manager, shape, dataType) -> uniform(manager, shape, dataType, bound);
    }

    /**
     * timm's {@code trunc_normal_(std)}: a normal truncated at ±2 in absolute value. For std = 0.02
     * that bound is 100σ away, so resampling never happens in practice; values are clipped to be exact.
     */
    public static Initializer truncNormal(double std) {
        return (manager, shape, dataType) ->
                manager.randomNormal(0f, (float) std, shape, dataType).clip(-2f, 2f);
    }

    public static Initializer zeros() {
        return (manager, shape, dataType) -> manager.zeros(shape, dataType);
    }

    public static Initializer ones() {
        return (manager, shape, dataType) -> manager.ones(shape, dataType);
    }

    private static NDArray uniform(NDManager manager, Shape shape, DataType dataType, double bound) {
        return manager.randomUniform((float) -bound, (float) bound, shape, dataType);
    }
}
