package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import org.m3vit.nn.TorchInit;

/**
 * Shazeer et al. (2017) noisy top-k gating. Training noise is learned per row and expert:
 * σ = softplus(x·W_noise) + 0.01; the top-k is taken on the (noisy) logits and the softmax runs over
 * those k only. Training loss: cv²(importance) + cv²(load) with the smooth load estimate (k < E).
 */
public final class NoisyTopkGate extends Gate {

    private static final float NOISE_EPSILON = 1e-2f;

    private final Parameter wNoise;

    public NoisyTopkGate(long inputDim, int experts, int topK) {
        super(inputDim, experts, topK);
        wNoise = addParameter(Parameter.builder()
                .setName("w_noise")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(inputDim, experts))
                .optInitializer(TorchInit.kaimingUniformSqrt5())
                .build());
    }

    @Override
    public GateType type() {
        return GateType.NOISY_TOPK;
    }

    @Override
    protected GateDecision decide(ParameterStore ps, NDArray rows, boolean training) {
        NDArray clean = clean(ps, rows, training);
        NDArray logits = clean;
        NDArray sigma = null;
        if (training) {
            NDArray raw = rows.matMul(ps.getValue(wNoise, rows.getDevice(), training));
            sigma = Activation.softPlus(raw).add(NOISE_EPSILON);
            logits = clean.add(clean.getManager()
                    .randomNormal(0f, 1f, clean.getShape(), clean.getDataType(), clean.getDevice())
                    .mul(sigma));
        }
        NDList top = logits.topK(topK, 1, true, true);
        NDArray indices = top.get(1);
        NDArray scores = top.get(0).softmax(1);
        Assigned assigned = assigned(indices, scores);
        NDArray importance = assigned.importance();
        NDArray load;
        NDArray aux;
        if (training) {
            load = topK < experts
                    ? probInTopK(
                                    clean,
                                    logits,
                                    sigma,
                                    logits.topK(topK + 1, 1, true, true).get(0))
                            .sum(new int[] {0})
                    : assigned.counts();
            aux = cvSquared(importance).add(cvSquared(load));
        } else {
            load = assigned.counts();
            aux = zeroLoss(scores);
        }
        return new GateDecision(indices, scores, aux, load, importance, assigned.counts());
    }
}
