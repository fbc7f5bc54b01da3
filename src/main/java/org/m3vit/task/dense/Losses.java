package org.m3vit.task.dense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import org.m3vit.nn.Scalars;

/**
 * The reference's per-task losses. All take raw head outputs (N, C, H, W) and targets of the same
 * spatial size; 255 marks pixels to ignore. Written with DJL ops because DJL's own losses lack an
 * ignore index and its weighted L1 is wrong.
 */
public final class Losses {

    public static final int IGNORE = 255;

    private Losses() {}

    /**
     * Cross-entropy (log-softmax + NLL) averaged over the pixels whose label is not 255; 0 when no pixel
     * is valid (the reference replaces the NaN of an image without people by 0).
     *
     * @param logits (N, C, H, W)
     * @param labels (N, H, W) integer class ids or 255
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray lab = labels.toType(DataType.INT64, false);
        NDArray valid = lab.neq(IGNORE);
        NDArray safe = NDArrays.where(valid, lab, lab.zerosLike());
        NDArray nll =
                logits.logSoftmax(1).gather(safe.expandDims(1), 1).squeeze(1).neg();
        NDArray validF = valid.toType(logits.getDataType(), false);
        return nll.mul(validF).sum().div(validF.sum().maximum(1f));
    }

    /**
     * Class-balanced binary cross-entropy on logits (HED style), as the reference: y = [label ≥ 0.5];
     * loss = (w·Σ_pos BCE + (1−w)·Σ_neg BCE) / numel. With {@code posWeight} null, w = #neg / #total of
     * the batch (saliency); otherwise the fixed w (edge: 0.95). Pixels labelled 255 are left out.
     *
     * @param logits (N, 1, H, W)
     * @param labels (N, 1, H, W) or (N, H, W) values in {0, 1} or 255
     */
    public static NDArray balancedBce(NDArray logits, NDArray labels, Float posWeight) {
        NDArray lab = labels.toType(logits.getDataType(), false).reshape(logits.getShape());
        NDArray valid = lab.neq((float) IGNORE).toType(logits.getDataType(), false);
        NDArray y = lab.gte(0.5f).toType(logits.getDataType(), false).mul(valid);
        // numerically stable per-pixel BCE: max(x,0) − x·y + log(1 + exp(−|x|))
        NDArray bce = logits.maximum(Scalars.of(logits, 0))
                .sub(logits.mul(y))
                .add(logits.abs().neg().exp().add(1f).log());
        NDArray pos = bce.mul(y).sum();
        NDArray neg = bce.mul(valid.sub(y)).sum();
        NDArray w;
        if (posWeight == null) {
            NDArray total = valid.sum().maximum(1f);
            w = valid.sum().sub(y.sum()).div(total);
        } else {
            w = Scalars.of(logits, posWeight);
        }
        return w.mul(pos).add(w.neg().add(1f).mul(neg)).div(Scalars.of(logits, lab.size()));
    }

    /**
     * Surface-normal loss: the prediction is L2-normalised per pixel, then L1 against the target summed
     * over the valid elements (target ≠ 255) and divided by their count.
     *
     * @param pred (N, 3, H, W)
     * @param target (N, 3, H, W), 255 where invalid
     */
    public static NDArray normalsL1(NDArray pred, NDArray target) {
        NDArray norm = pred.square().sum(new int[] {1}, true).sqrt().add(1e-12f);
        NDArray unit = pred.div(norm);
        NDArray valid = target.neq((float) IGNORE).toType(pred.getDataType(), false);
        NDArray safeTarget = target.mul(valid);
        return unit.sub(safeTarget).abs().mul(valid).sum().div(valid.sum().maximum(1e-6f));
    }

    /**
     * Depth L1 averaged over valid pixels. Valid means neither 255 (the reference's ignore mark) nor 0
     * (missing depth), so either convention for missing depth works.
     *
     * @param pred (N, 1, H, W)
     * @param target (N, 1, H, W) or (N, H, W) metres
     */
    public static NDArray depthL1(NDArray pred, NDArray target) {
        NDArray t = target.toType(pred.getDataType(), false).reshape(pred.getShape());
        NDArray valid = t.neq((float) IGNORE).logicalAnd(t.neq(0f)).toType(pred.getDataType(), false);
        return pred.sub(t.mul(valid)).abs().mul(valid).sum().div(valid.sum().maximum(1f));
    }
}
