package org.m3vit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.m3vit.errors.InvalidInputException;

/**
 * A first-order optimizer over named parameters. Updates happen in place on the parameter arrays,
 * outside any gradient collector; gradients are zeroed after each step so the next backward passes
 * (one per task in one-by-one training) accumulate into clean buffers. Its state is a map of
 * named arrays so it can be checkpointed next to the weights.
 *
 * <p>Not DJL's {@code ai.djl.training.optimizer.Optimizer}: that one decays every parameter and clips
 * element-wise, while the reference needs per-name decay groups (hence the name).
 */
public abstract class ParameterOptimizer {

    protected final Map<String, Parameter> parameters;
    protected final Predicate<String> decays;
    protected final float weightDecay;
    protected final Map<String, NDArray> state = new LinkedHashMap<>();
    protected long steps;

    protected ParameterOptimizer(Map<String, Parameter> parameters, float weightDecay, Predicate<String> decays) {
        if (!(weightDecay >= 0)) {
            throw InvalidInputException.key("optimizer_kwargs.weight_decay", "must be >= 0, got " + weightDecay);
        }
        this.parameters = parameters;
        this.weightDecay = weightDecay;
        this.decays = decays;
    }

    /**
     * The optimizer a config names, over {@code parameters}: SGD decays every parameter (as the reference
     * does), AdamW follows {@link #decaysByDefault}.
     */
    public static ParameterOptimizer of(TrainConfig config, Map<String, Parameter> parameters) {
        return switch (config.optimizer()) {
            case ADAMW -> new AdamW(
                    parameters,
                    config.beta1(),
                    config.beta2(),
                    config.eps(),
                    config.weightDecay(),
                    ParameterOptimizer::decaysByDefault);
            case SGD -> new Sgd(parameters, config.momentum(), config.weightDecay(), name -> true);
        };
    }

    /**
     * The reference's AdamW convention: no decay on norms, biases, the position embedding and the cls
     * token; decay on every other weight (including gates and experts).
     */
    public static boolean decaysByDefault(String name) {
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        return !(leaf.equals("bias")
                || name.contains("norm")
                || name.contains("syncbn")
                || name.endsWith("pos_embed")
                || name.endsWith("cls_token")
                || leaf.equals("running_mean")
                || leaf.equals("running_var")
                || leaf.equals("num_batches_tracked"));
    }

    /**
     * Applies one update with learning rate {@code lr} to every parameter that has a gradient. Each
     * parameter's update runs in its own scope: an update makes several temporaries the size of its
     * parameter (AdamW eight), and kept until the step ends they would add up to several times the model.
     */
    @SuppressWarnings("try") // the scope is used only for its close()
    public final void step(float lr) {
        steps++;
        for (var e : parameters.entrySet()) {
            Parameter p = e.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            try (NDScope perParameter = new NDScope()) {
                NDArray w = p.getArray();
                NDArray g = w.getGradient();
                update(e.getKey(), w, g, lr, decays.test(e.getKey()) ? weightDecay : 0f);
                g.subi(g); // zero in place for the next accumulation
            }
        }
    }

    protected abstract void update(String name, NDArray weight, NDArray grad, float lr, float decay);

    public long steps() {
        return steps;
    }

    /** Named state arrays (momentum buffers, moments) for checkpoints. */
    public Map<String, NDArray> state() {
        return state;
    }

    /** Restores state saved by {@link #state()} and the step count. */
    public void restore(Map<String, NDArray> saved, long stepCount) {
        for (var e : saved.entrySet()) {
            NDArray current = state.get(e.getKey());
            if (current == null) {
                NDArray copy = keep(
                        e.getValue().duplicate(),
                        parameters.values().iterator().next().getArray().getManager());
                state.put(e.getKey(), copy);
            } else {
                e.getValue().copyTo(current);
            }
        }
        steps = stepCount;
    }

    /**
     * A state buffer that lives as long as the parameter. Steps usually run inside an {@link NDScope},
     * which releases every array created in it even after {@code attach}; unregistering keeps the
     * buffer alive (otherwise the next step would write into freed memory).
     */
    protected NDArray buffer(String key, NDArray like) {
        return state.computeIfAbsent(key, k -> keep(like.zerosLike(), like.getManager()));
    }

    private static NDArray keep(NDArray array, NDManager owner) {
        array.attach(owner);
        NDScope.unregister(array);
        return array;
    }

    /** SGD with momentum, PyTorch semantics: d = g + λw; b = μb + d (b = d on the first step); w −= lr·b. */
    public static final class Sgd extends ParameterOptimizer {
        private final float momentum;

        public Sgd(Map<String, Parameter> parameters, float momentum, float weightDecay, Predicate<String> decays) {
            super(parameters, weightDecay, decays);
            if (!(momentum >= 0 && momentum < 1)) {
                throw InvalidInputException.key("optimizer_kwargs.momentum", "must be in [0, 1), got " + momentum);
            }
            this.momentum = momentum;
        }

        @Override
        protected void update(String name, NDArray w, NDArray g, float lr, float decay) {
            NDArray d = decay > 0 ? g.add(w.mul(decay)) : g;
            if (momentum > 0) {
                boolean first = !state.containsKey(name + ".momentum_buffer");
                NDArray b = buffer(name + ".momentum_buffer", w);
                if (first) {
                    b.addi(d);
                } else {
                    b.muli(momentum).addi(d);
                }
                d = b;
            }
            w.subi(d.mul(lr));
        }
    }

    /**
     * AdamW, PyTorch semantics: w −= lr·λ·w (decoupled decay); m, v moving averages with bias
     * correction; w −= lr · m̂ / (√v̂ + ε).
     */
    public static final class AdamW extends ParameterOptimizer {
        private final float beta1;
        private final float beta2;
        private final float eps;

        public AdamW(
                Map<String, Parameter> parameters,
                float beta1,
                float beta2,
                float eps,
                float weightDecay,
                Predicate<String> decays) {
            super(parameters, weightDecay, decays);
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
        }

        @Override
        protected void update(String name, NDArray w, NDArray g, float lr, float decay) {
            if (decay > 0) {
                w.muli(1f - lr * decay);
            }
            NDArray m = buffer(name + ".exp_avg", w).muli(beta1).addi(g.mul(1f - beta1));
            NDArray v =
                    buffer(name + ".exp_avg_sq", w).muli(beta2).addi(g.square().mul(1f - beta2));
            double bc1 = 1 - Math.pow(beta1, steps);
            double bc2 = 1 - Math.pow(beta2, steps);
            NDArray denom = v.div((float) bc2).sqrt().add(eps);
            w.subi(m.div(denom).mul((float) (lr / bc1)));
        }
    }
}
