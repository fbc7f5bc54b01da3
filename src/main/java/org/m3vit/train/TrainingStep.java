package org.m3vit.train;

/**
 * What one training step computes for one kind of model: forward and backward of every task of a batch,
 * then one optimizer update. The {@link TrainingLoop} around it (data order, reseeding, schedule,
 * validation, listeners) is the same for every kind; {@link MultiTaskStep} is M³ViT's and the dense ViT's.
 *
 * @param <B> the batch type
 */
public interface TrainingStep<B> {

    /**
     * One step at learning rate {@code lr}. The engine has been reseeded for this step. {@code epoch} and
     * {@code step} count from 0 and only serve messages.
     *
     * @throws TrainingDivergedException if a loss or the gradient norm is not finite; the update is then not
     *     applied, and the message says what diverged and where (the loop adds what that means for the run)
     */
    StepResult run(B batch, int epoch, int step, float lr);
}
