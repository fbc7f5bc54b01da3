package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import org.m3vit.nn.Checks;
import org.m3vit.nn.Scalars;

/**
 * GShard / Uni-Perceiver-MoE gating: p = softmax(logits + ε) with training noise ε ~ N(0, (noise_std/E)²),
 * the top-k of p renormalised to sum to 1. Training loss is the GShard/Switch balancing term
 * E · Σ_e mean_r(p_e) · frac_r(top-1 = e), which is 1 for perfectly uniform routing.
 */
public final class TopkSoftmaxGate extends Gate {

    private final float noiseStd;

    public TopkSoftmaxGate(long inputDim, int experts, int topK, float noiseStd) {
        super(inputDim, experts, topK);
        Checks.finiteNonNegative("noise std", noiseStd);
        this.noiseStd = noiseStd;
    }

    @Override
    public GateType type() {
        return GateType.TOPK_SOFTMAX;
    }

    @Override
    protected GateDecision decide(ParameterStore ps, NDArray rows, boolean training) {
        NDArray logits = clean(ps, rows, training);
        float sigma = training ? noiseStd / experts : 0f;
        if (sigma > 0f) {
            logits = logits.add(logits.getManager()
                    .randomNormal(0f, sigma, logits.getShape(), logits.getDataType(), logits.getDevice()));
        }
        NDArray probs = logits.softmax(1);
        NDList top = probs.topK(topK, 1, true, true);
        NDArray indices = top.get(1);
        NDArray picked = top.get(0);
        NDArray scores = picked.div(picked.sum(new int[] {1}, true).maximum(Scalars.of(picked, 1e-9)));
        Assigned assigned = assigned(indices, scores);
        NDArray importance = assigned.importance();
        NDArray load = assigned.counts();
        NDArray aux;
        if (training) {
            NDArray meanProb = probs.mean(new int[] {0});
            NDArray top1Fraction = indices.get(":, 0")
                    .oneHot(experts)
                    .toType(probs.getDataType(), false)
                    .mean(new int[] {0});
            aux = meanProb.mul(top1Fraction).sum().mul(Scalars.of(meanProb, experts));
        } else {
            aux = zeroLoss(scores);
        }
        return new GateDecision(indices, scores, aux, load, importance, assigned.counts());
    }
}
