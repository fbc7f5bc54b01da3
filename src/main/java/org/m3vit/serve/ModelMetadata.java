package org.m3vit.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.Preprocessing;
import org.m3vit.task.Task;

/**
 * {@code $metadata_model_response} for a served model: its inputs ({@code input} FP32 [-1, C, H, W] and
 * {@code image} BYTES [-1]), one FP32 output per task ([-1, C_task, H, W]; BYTES [-1] with
 * {@code parameters.output: "png"}), plus m3vit's {@code tasks} and, under {@code parameters}, the
 * preprocessing applied to images and the per-request limits.
 */
final class ModelMetadata {

    static final String PLATFORM = "m3vit_djl_pytorch";

    private ModelMetadata() {}

    /** @param only the task a {@code {model}-{task}} name selects, or null for all */
    static Map<String, Object> of(String name, ServedModel model, Task only, ServerSettings settings) {
        ModelConfig c = model.config();
        Preprocessing pre = model.runner().preprocessing();
        List<Task> tasks = only == null ? model.tasks() : List.of(only);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("platform", PLATFORM);
        m.put("tasks", ModelRegistry.ids(tasks));
        m.put(
                "inputs",
                List.of(
                        tensor(
                                RequestInputs.TENSOR,
                                "FP32",
                                List.of(-1L, (long) c.inChans(), (long) c.imgHeight(), (long) c.imgWidth())),
                        tensor(RequestInputs.IMAGE, "BYTES", List.of(-1L))));
        List<Object> outputs = new ArrayList<>();
        for (Task t : tasks) {
            outputs.add(tensor(
                    t.id(), "FP32", List.of(-1L, (long) model.channels(t), (long) c.imgHeight(), (long) c.imgWidth())));
        }
        m.put("outputs", outputs);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("output_formats", List.of("fp32", "png"));
        params.put(
                "preprocessing",
                Map.of(
                        "input_size",
                        List.of(pre.height(), pre.width()),
                        "mean",
                        floats(pre.mean()),
                        "std",
                        floats(pre.std()),
                        "resize",
                        "cubic"));
        params.put("max_images_per_request", settings.maxRequestImages());
        params.put("max_batch", settings.maxBatch());
        params.put("expert_bytes", model.runner().expertBytes());
        m.put("parameters", params);
        return m;
    }

    private static Map<String, Object> tensor(String name, String datatype, List<Long> shape) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", datatype);
        t.put("shape", shape);
        return t;
    }

    private static List<Float> floats(float[] v) {
        List<Float> out = new ArrayList<>();
        for (float f : v) {
            out.add(f);
        }
        return out;
    }
}
