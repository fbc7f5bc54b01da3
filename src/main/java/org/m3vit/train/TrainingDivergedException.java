package org.m3vit.train;

/** A loss became NaN or infinite; the step was not applied and the last checkpoint is untouched. */
public final class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
