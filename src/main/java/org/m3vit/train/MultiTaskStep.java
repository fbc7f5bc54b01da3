package org.m3vit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.m3vit.data.SampleBatch;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.nn.Scalars;
import org.m3vit.task.LossOptions;
import org.m3vit.task.Task;

/**
 * The training step of a {@link MultiTaskModel}. Per batch of an MoE model, each task runs its own pathway
 * (multi-gate: its routers; task-conditioned: its f_t) from the shared prefix, and its weighted loss plus
 * the weighted MoE balancing loss is back-propagated (gradients add up across tasks, one scope at a time;
 * {@link PathwayBackward}). A dense model, whose pathways are all the same backbone, runs it once and back-propagates the
 * summed task losses (same gradients). Then optionally global-norm clipping and one optimizer step. This is
 * both M³ViT multi-gate training (T pathways per batch) and the reference's one-by-one mode.
 */
final class MultiTaskStep implements TrainingStep<SampleBatch> {

    private final TrainConfig config;
    private final MultiTaskModel model;
    private final Map<String, Parameter> parameters;
    private final List<Parameter> trainable;
    private final ParameterOptimizer optimizer;
    private final NDManager manager;
    private final ParameterStore ps;

    /**
     * @param trainable the parameters with gradients (clipped and stepped)
     * @param manager the parameters' long-lived manager; each step's arrays live on a sub-manager of it
     */
    MultiTaskStep(
            TrainConfig config,
            MultiTaskModel model,
            Map<String, Parameter> parameters,
            List<Parameter> trainable,
            ParameterOptimizer optimizer,
            NDManager manager) {
        this.config = config;
        this.model = model;
        this.parameters = parameters;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.manager = manager;
        this.ps = new ParameterStore(manager, false);
    }

    @Override
    public StepResult run(SampleBatch batch, int epoch, int step, float lr) {
        List<Task> tasks = model.config().tasks().tasks();
        Map<String, Map<Integer, long[]>> counts = new LinkedHashMap<>();
        // The sub-manager holds the batch; the NDScope also frees what ops on parameter arrays (which live
        // on the long-lived manager) create: activations, gradient temporaries, optimizer intermediates.
        try (NDManager scope = manager.newSubManager();
                NDScope temporaries = new NDScope()) {
            NDList arrays = batch.toNDList(scope);
            NDArray image = arrays.get(0);
            NDArray[] logged = new NDArray[tasks.size() + 1];
            if (model.config().isMoe()) {
                List<NDArray> kept = new ArrayList<>();
                PathwayBackward.run(model, ps, image, tasks, (t, out) -> {
                    int i = tasks.indexOf(t);
                    NDArray loss = t.spec()
                            .loss(out.prediction(), target(arrays, batch, t), new LossOptions(config.edgePosWeight()));
                    NDArray aux = out.auxLoss().stopGradient();
                    logged[i] = loss.stopGradient();
                    logged[tasks.size()] = logged[tasks.size()] == null ? aux : logged[tasks.size()].add(aux);
                    kept.add(logged[i]);
                    kept.add(logged[tasks.size()]);
                    NDScope.unregister(logged[i], logged[tasks.size()]);
                    readCounts(counts, t, out.backbone().expertCounts());
                    return weighted(t, loss).add(out.auxLoss().mul(Scalars.of(loss, config.auxWeight())));
                });
                kept.forEach(NDScope::register); // freed with the step
            } else {
                // Without routers every pathway is the same backbone: run it once and back-propagate the summed
                // task losses, which gives the same gradients as one backward per task at a fraction of the cost.
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    MultiTaskModel.MultiTaskOutput out = model.forwardAll(ps, image, true);
                    NDArray total = null;
                    for (int i = 0; i < tasks.size(); i++) {
                        Task t = tasks.get(i);
                        NDArray loss = t.spec()
                                .loss(
                                        out.predictions().get(t),
                                        target(arrays, batch, t),
                                        new LossOptions(config.edgePosWeight()));
                        total = total == null ? weighted(t, loss) : total.add(weighted(t, loss));
                        logged[i] = loss.stopGradient();
                    }
                    gc.backward(total);
                    logged[tasks.size()] = out.auxLoss().stopGradient();
                }
            }
            // The step's one host read: the losses and the squared global gradient norm. A finite loss can
            // still back-propagate a NaN gradient; applying it would poison the weights (and the next
            // checkpoint), so it is caught here too.
            NDList read = new NDList(logged);
            read.add(GradientClipping.squaredNorm(trainable).reshape(new Shape()));
            float[] values = NDArrays.stack(read).toFloatArray();
            double gradNorm = Math.sqrt(values[tasks.size() + 1]);
            String where = " at epoch " + (epoch + 1) + " step " + (step + 1) + " (lr " + lr;
            for (int i = 0; i <= tasks.size(); i++) {
                if (!Float.isFinite(values[i])) {
                    String what = i < tasks.size() ? "the " + tasks.get(i).id() + " loss" : "the MoE balancing loss";
                    throw new TrainingDivergedException(what + " is " + values[i] + where + ")");
                }
            }
            if (!Double.isFinite(gradNorm)) {
                throw new TrainingDivergedException("the gradient norm is " + gradNorm + where
                        + ", losses finite, max |input| " + image.abs().max().getFloat() + "; non-finite gradients in "
                        + GradientDiagnostics.nonFinite(parameters) + ")");
            }
            GradientClipping.scale(trainable, gradNorm, config.gradClip());
            optimizer.step(lr); // its state buffers outlive this scope (ParameterOptimizer unregisters them)
            Map<String, Float> losses = new LinkedHashMap<>();
            for (int i = 0; i < tasks.size(); i++) {
                losses.put(tasks.get(i).id(), values[i]);
            }
            return new StepResult(losses, values[tasks.size()], gradNorm, counts);
        }
    }

    private static NDArray target(NDList arrays, SampleBatch batch, Task t) {
        return arrays.get(batch.tasks().indexOf(t) + 1);
    }

    private NDArray weighted(Task t, NDArray loss) {
        return loss.mul(Scalars.of(loss, config.lossWeights().get(t)));
    }

    /** Reads a pathway's expert counts to the host while its scope is open (the MoE dispatch synced already). */
    private static void readCounts(Map<String, Map<Integer, long[]>> out, Task t, Map<Integer, NDArray> counts) {
        if (counts == null) {
            return;
        }
        Map<Integer, long[]> perLayer = out.computeIfAbsent(t.id(), k -> new TreeMap<>());
        for (var e : counts.entrySet()) {
            perLayer.put(e.getKey(), e.getValue().toType(DataType.INT64, false).toLongArray());
        }
    }
}
