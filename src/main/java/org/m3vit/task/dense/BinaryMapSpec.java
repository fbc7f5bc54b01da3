package org.m3vit.task.dense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import org.m3vit.task.ConstantFit;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.DenseTaskSpec;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.PredictionFormat;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/**
 * A binary map (saliency, edges): one logit per pixel, decoded as 255·sigmoid resized bilinearly and
 * truncated to uint8, saved as a grey PNG, drawn grey.
 */
abstract class BinaryMapSpec implements DenseTaskSpec {

    @Override
    public int targetChannels() {
        return 1;
    }

    @Override
    public boolean isClassMap() {
        return false;
    }

    @Override
    public int outputChannels(DatasetLayout dataset) {
        return 1;
    }

    @Override
    public float[] toTarget(float[] hwc, int height, int width) {
        return hwc;
    }

    @Override
    public NDArray randomTarget(NDManager manager, int batch, int channels, int height, int width) {
        return manager.randomUniform(0f, 1f, new Shape(batch, 1, height, width))
                .gte(0.5f)
                .toType(DataType.FLOAT32, false);
    }

    /** The reference neither saves nor scores a label map that is entirely ignore (255). */
    @Override
    public boolean skips(float[] groundTruth) {
        return DenseArrays.all(groundTruth, Task.IGNORE);
    }

    @Override
    public SavedPrediction decode(HeadOutput output, int height, int width) {
        float[] out = output.requireChannels(id(), 1).values();
        float[] probability = new float[output.plane()];
        for (int p = 0; p < probability.length; p++) {
            probability[p] = (float) (255.0 / (1.0 + Math.exp(-out[p])));
        }
        return new SavedPrediction(
                this,
                height,
                width,
                DenseArrays.toUint8(
                        ResizeBack.bilinear(probability, output.height(), output.width(), 1, height, width)));
    }

    @Override
    public PredictionFormat savedFormat() {
        return PredictionFormat.GRAY_PNG;
    }

    /** The positive rate of the train split as a probability, in saved form (255·p, truncated). */
    @Override
    public ConstantFit newConstantFit(DatasetLayout dataset) {
        return new ValidPixelSums(1, ValidPixelSums.NOT_IGNORED, (sums, count) ->
                new float[] {(float) Math.floor(255 * sums[0] / Math.max(count, 1))});
    }

    @Override
    public BufferedImage render(HeadOutput output) {
        float[] out = output.values();
        return Renderings.image(output.height(), output.width(), p -> Renderings.sigmoidGrey(out[p]));
    }

    /** ±confident logits for 1 / 0 (and ignore drawn as 0). */
    @Override
    public HeadOutput groundTruthAsOutput(float[] groundTruth, int channels, int height, int width) {
        int plane = height * width;
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            out[p] = groundTruth[p] == 1f ? Renderings.CONFIDENT_LOGIT : -Renderings.CONFIDENT_LOGIT;
        }
        return new HeadOutput(out, channels, height, width);
    }
}
