package org.m3vit.train;

import java.util.Map;

/**
 * The per-epoch validation of a {@link TrainingLoop}: metrics per task id, and the score that picks the
 * best epoch (higher is better; M³ViT's is Δm, see {@link TrainableModel#selectionMetric}).
 */
@FunctionalInterface
public interface EpochValidator {

    /** Validates after epoch {@code epoch} (from 0). */
    Validation validate(int epoch);

    /**
     * @param val metrics per task id; a non-finite value is dropped from the epoch record
     * @param score the selection score, or null when it is not finite
     */
    record Validation(Map<String, Map<String, Double>> val, Double score) {}
}
