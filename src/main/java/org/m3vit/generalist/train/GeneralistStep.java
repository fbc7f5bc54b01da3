package org.m3vit.generalist.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.generalist.task.TaskBatch;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.generalist.task.TaskLoss;
import org.m3vit.nn.Scalars;
import org.m3vit.train.GradientClipping;
import org.m3vit.train.ParameterOptimizer;
import org.m3vit.train.StepResult;
import org.m3vit.train.TrainingDivergedException;
import org.m3vit.train.TrainingStep;

/**
 * One generalist step: the batch's task loss, weighted, plus the weighted MoE balancing loss of its encoder
 * calls, back-propagated once; global-norm clipping; one AdamW update. Everything the step creates lives in
 * a sub-manager and an {@link NDScope} closed at its end; one host read per step (losses and the gradient
 * norm).
 */
final class GeneralistStep implements TrainingStep<TaskBatch> {

    private final GeneralistConfig config;
    private final TaskContext context;
    private final List<Parameter> trainable;
    private final ParameterOptimizer optimizer;
    private final NDManager manager;

    GeneralistStep(
            GeneralistConfig config,
            TaskContext context,
            List<Parameter> trainable,
            ParameterOptimizer optimizer,
            NDManager manager) {
        this.config = config;
        this.context = context;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.manager = manager;
    }

    @Override
    public StepResult run(TaskBatch batch, int epoch, int step, float lr) {
        String task = batch.task().id();
        float weight = config.train().tasks().get(task).lossWeight();
        try (NDManager scope = manager.newSubManager();
                NDScope temporaries = new NDScope()) {
            NDArray loss;
            NDArray aux;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TaskLoss l = batch.task().loss(context.on(scope), batch, true);
                loss = l.loss();
                aux = l.auxLoss();
                gc.backward(loss.mul(Scalars.of(loss, weight))
                        .add(aux.mul(Scalars.of(aux, config.train().auxWeight()))));
            }
            NDList read = new NDList(
                    loss.stopGradient().reshape(new Shape()),
                    aux.stopGradient().reshape(new Shape()),
                    GradientClipping.squaredNorm(trainable).reshape(new Shape()));
            float[] values = NDArrays.stack(read).toFloatArray();
            double gradNorm = Math.sqrt(values[2]);
            String where = " at epoch " + (epoch + 1) + " step " + (step + 1) + " (lr " + lr + ")";
            if (!Float.isFinite(values[0])) {
                throw new TrainingDivergedException("the " + task + " loss is " + values[0] + where);
            }
            if (!Float.isFinite(values[1])) {
                throw new TrainingDivergedException("the MoE balancing loss is " + values[1] + where);
            }
            if (!Double.isFinite(gradNorm)) {
                throw new TrainingDivergedException("the gradient norm is " + gradNorm + where);
            }
            GradientClipping.scale(trainable, gradNorm, config.train().gradClip());
            optimizer.step(lr);
            return new StepResult(Map.of(task, values[0]), values[1], gradNorm, Map.of());
        }
    }
}
