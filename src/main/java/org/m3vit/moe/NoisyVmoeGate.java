package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import org.m3vit.nn.Checks;
import org.m3vit.nn.Scalars;

/**
 * M³ViT's {@code noisy_vmoe} gate. Training adds N(0, σ²) noise with σ = noise_std / E to the logits;
 * the softmax runs over all E experts before the top-k, and the k probabilities are used as they are
 * (not renormalised). Training loss: cv²(importance) + cv²(load), where load is the Φ-based smooth
 * estimate when σ > 0 and k < E, and the assignment count otherwise. Evaluation: no noise, loss 0.
 *
 * <p>As in the reference, the smooth load compares raw logits with thresholds taken from the softmax
 * probabilities; that quirk is kept so trained behaviour matches.
 */
public final class NoisyVmoeGate extends Gate {

    private final float noiseStd;

    public NoisyVmoeGate(long inputDim, int experts, int topK, float noiseStd) {
        super(inputDim, experts, topK);
        Checks.finiteNonNegative("vmoe_noisy_std", noiseStd);
        this.noiseStd = noiseStd;
    }

    @Override
    public GateType type() {
        return GateType.NOISY_VMOE;
    }

    public float noiseStd() {
        return noiseStd;
    }

    @Override
    protected GateDecision decide(ParameterStore ps, NDArray rows, boolean training) {
        NDArray clean = clean(ps, rows, training);
        float sigma = training ? noiseStd / experts : 0f;
        NDArray noisy = sigma > 0f
                ? clean.add(clean.getManager()
                        .randomNormal(0f, sigma, clean.getShape(), clean.getDataType(), clean.getDevice()))
                : clean;
        NDArray probs = noisy.softmax(1);
        // top-k taken directly (not as a slice of the top-(k+1)) so indices and scores are contiguous
        NDList top = probs.topK(topK, 1, true, true);
        NDArray indices = top.get(1);
        NDArray scores = top.get(0);
        Assigned assigned = assigned(indices, scores);
        NDArray importance = assigned.importance();
        NDArray load;
        NDArray aux;
        if (training) {
            if (topK < experts && sigma > 1e-6f) {
                NDArray sigmaArr = Scalars.of(clean, sigma);
                NDArray thresholds = probs.topK(topK + 1, 1, true, true).get(0);
                load = probInTopK(clean, noisy, sigmaArr, thresholds).sum(new int[] {0});
            } else {
                load = assigned.counts();
            }
            aux = cvSquared(importance).add(cvSquared(load));
        } else {
            load = assigned.counts();
            aux = zeroLoss(scores);
        }
        return new GateDecision(indices, scores, aux, load, importance, assigned.counts());
    }
}
