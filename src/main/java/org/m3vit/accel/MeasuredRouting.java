package org.m3vit.accel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.Augmentation;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Sample;
import org.m3vit.data.Split;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.model.BackboneOutput;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.Task;

/**
 * Routing measured by running the model: the task's pathway in eval mode on the first images of a dataset's
 * val split (the validation transform: resize and normalise), one image at a time, reading each MoE block's
 * per-expert token counts.
 */
public final class MeasuredRouting {

    private MeasuredRouting() {}

    public static Routing measure(ModelConfig config, Task task, Path weights, Path dataRoot, int images)
            throws IOException {
        Workload.requireMoe(config);
        Workload.requireTask(config, task);
        if (images < 1) {
            throw InvalidInputException.field("images", "must be >= 1, got " + images);
        }
        MultiTaskReader reader = MultiTaskReader.open(config.tasks().dataset(), dataRoot, Split.VAL, EnumSet.of(task));
        int n = Math.min(images, reader.size());
        if (n == 0) {
            throw InvalidInputException.file(dataRoot, "the val split has no images");
        }
        Augmentation val = Augmentation.val(config.tasks().dataset(), config.imgHeight(), config.imgWidth());
        List<Routing.Image> out = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskModel model = new MultiTaskModel(config).initialize(manager);
            ModelWeights.load(model, weights);
            ParameterStore ps = new ParameterStore(manager, false);
            for (int i = 0; i < n; i++) {
                Sample s = val.apply(reader.read(i), (Augmentation.Draw) null);
                try (NDManager sub = manager.newSubManager()) {
                    NDArray image = sub.create(
                            s.image(), new Shape(1, config.inChans(), config.imgHeight(), config.imgWidth()));
                    BackboneOutput b = model.forward(ps, image, task, false).backbone();
                    int[][] q = new int[config.moeLayers().size()][];
                    for (int m = 0; m < q.length; m++) {
                        long[] counts =
                                b.expertCounts().get(config.moeLayers().get(m)).toLongArray();
                        q[m] = new int[counts.length];
                        for (int e = 0; e < counts.length; e++) {
                            q[m][e] = Math.toIntExact(counts[e]);
                        }
                    }
                    out.add(new Routing.Image(s.id(), q));
                }
            }
        }
        return new Routing("forward of " + weights.getFileName() + " on " + n + " val images of " + dataRoot, out);
    }
}
