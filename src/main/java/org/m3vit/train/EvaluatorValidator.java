package org.m3vit.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.eval.SplitEvaluator;
import org.m3vit.infer.Predictor;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.Task;

/**
 * Per-epoch validation with the same {@link SplitEvaluator} as {@code m3vit eval}: the val split through every
 * task pathway, predictions decoded and resized back to each image's ground truth as the reference
 * does, and the reference metrics. One code path computes metrics for training and evaluation alike.
 */
public final class EvaluatorValidator implements Validator {

    private final MultiTaskReader valReader;
    private final int batchSize;
    private final SplitEvaluator evaluator = new SplitEvaluator();

    public EvaluatorValidator(MultiTaskReader valReader, int batchSize) {
        this.valReader = valReader;
        this.batchSize = batchSize;
    }

    @Override
    public Map<Task, Map<String, Double>> validate(MultiTaskModel model, int epoch) {
        try {
            return evaluator.evaluate(Predictor.of(model), valReader, batchSize, message -> {});
        } catch (IOException e) {
            throw new UncheckedIOException("validation after epoch " + (epoch + 1) + " failed: " + e.getMessage(), e);
        }
    }
}
