package org.m3vit.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;
import org.m3vit.io.TensorInfo;
import org.m3vit.io.TensorReader;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.nn.StateDict;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;

/**
 * Per-task extraction (Mod-Squad): the single-task model of one task of a multi-task model, with that task's
 * routers and head, the shared weights and the experts. Dropped experts are written as zeros, so they
 * contribute nothing wherever they are selected (as a capacity-dropped assignment), and listed in the
 * metadata, so streaming never loads them and packing leaves them out.
 */
public final class TaskExtractor {

    private static final Pattern GATE = Pattern.compile("(.*\\.gate\\.)0(\\..*)");

    private TaskExtractor() {}

    /** The config of {@code task}'s single-task model: the same model with only that task. */
    public static ModelConfig singleTask(ModelConfig config, Task task) {
        config.tasks().idOf(task); // the task must be one of the model's
        return config.toBuilder()
                .tasks(TaskSet.of(config.tasks().dataset(), task))
                .build();
    }

    /**
     * Writes {@code task}'s single-task artifact of {@code source} (a model of {@code config}) to {@code out}.
     *
     * @param drop experts to drop, by experts prefix ({@code backbone.blocks.1.mlp.experts})
     * @param metadata the artifact metadata of the single-task model (the runtime adds the dropped experts)
     */
    public static void write(
            Path source,
            ModelConfig config,
            Task task,
            Map<String, Set<Integer>> drop,
            Map<String, String> metadata,
            Path out)
            throws IOException {
        if (source.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw InvalidInputException.file(
                    out, "the extracted artifact must not overwrite the weights it is made from");
        }
        int taskId = config.tasks().idOf(task);
        int tasks = config.tasks().size();
        MultiTaskModel single = new MultiTaskModel(singleTask(config, task)); // names and shapes only
        Map<String, ExpertLayer> experts = new LinkedHashMap<>();
        for (ExpertLayer l : ExpertLayer.of(single).values()) {
            for (int j = 0; j < l.params().size(); j++) {
                experts.put(l.tensor(j), l);
            }
        }
        try (WeightFile file = WeightFile.open(source)) {
            TensorReader in = file.tensors();
            ModelWeights.validate(new MultiTaskModel(config), in);
            Map<String, String> keys = ModelWeights.fileKeys(in);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (var e : StateDict.parameters(single).entrySet()) {
                String name = e.getKey();
                long[] want = ModelWeights.declaredShape(e.getValue()).getShape();
                Matcher gate = GATE.matcher(name);
                String from = config.moe().multiGate() && gate.matches()
                        ? gate.group(1) + taskId + gate.group(2) // the task's own router
                        : name;
                String key = keys.get(from);
                if (key == null) {
                    throw InvalidInputException.file(source, "has no tensor '" + from + "' for " + name);
                }
                float[] data = taskSlice(source, in.info(key), in.floats(key), want, taskId, tasks, name);
                ExpertLayer l = experts.get(name);
                Set<Integer> gone = l == null ? Set.of() : drop.getOrDefault(l.prefix(), Set.of());
                int per = data.length / Math.max(1, l == null ? 1 : l.experts());
                for (int expert : gone) {
                    Arrays.fill(data, expert * per, (expert + 1) * per, 0f); // contributes nothing
                }
                tensors.put(name, Tensor.of(want, data));
            }
            for (String counter : ModelWeights.counters(single).keySet()) {
                String key = keys.get(counter);
                tensors.put(counter, Tensor.ofLongs(new long[0], new long[] {ModelWeights.counter(in, counter, key)}));
            }
            Map<String, String> meta = new LinkedHashMap<>(metadata);
            Map<String, Set<Integer>> allDropped = new LinkedHashMap<>(file.dropped());
            drop.forEach((p, ids) -> allDropped.merge(p, ids, (a, b) -> {
                Set<Integer> u = new TreeSet<>(a);
                u.addAll(b);
                return u;
            }));
            meta.putAll(ExpertMetadata.droppedEntry(allDropped));
            SafetensorsWriter.write(out, tensors, meta);
        }
    }

    /**
     * The tensor as the single-task model wants it: unchanged when the shapes agree; otherwise the task's
     * slice along the one axis that is per task (T in the source, 1 in the single-task model), as the task
     * embedding's first linear and one-hot task routing have. Exact: the single-task model feeds that axis
     * a one-hot row of length 1.
     */
    private static float[] taskSlice(
            Path source, TensorInfo info, float[] data, long[] want, int taskId, int tasks, String name) {
        long[] have = info.shape();
        if (Arrays.equals(have, want)) {
            return data;
        }
        int axis = -1;
        for (int d = 0; d < have.length && have.length == want.length; d++) {
            if (have[d] != want[d]) {
                boolean perTask = have[d] == tasks && want[d] == 1;
                if (!perTask || axis >= 0) {
                    axis = -2;
                    break;
                }
                axis = d;
            }
        }
        if (axis < 0) {
            throw InvalidInputException.file(
                    source,
                    "tensor '" + name + "' is " + info.shapeString() + ", which has no per-task axis to cut "
                            + TensorInfo.shapeString(want) + " from");
        }
        long inner = 1;
        for (int d = axis + 1; d < have.length; d++) {
            inner *= have[d];
        }
        long outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= have[d];
        }
        float[] out = new float[Math.toIntExact(outer * inner)];
        for (long o = 0; o < outer; o++) {
            System.arraycopy(
                    data, Math.toIntExact((o * tasks + taskId) * inner), out, Math.toIntExact(o * inner), (int) inner);
        }
        return out;
    }
}
