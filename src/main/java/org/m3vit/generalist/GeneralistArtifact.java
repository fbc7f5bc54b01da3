package org.m3vit.generalist;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.config.YamlValues;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.model.GeneralistModel;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.Provenance;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;
import org.m3vit.io.TensorInfo;
import org.m3vit.model.ModelWeights;
import org.m3vit.nn.StateDict;

/**
 * A generalist's self-describing weights file: safetensors with the model's parameter names, whose
 * {@code __metadata__} carries (besides {@code format: pt}, {@code producer: m3vit}):
 *
 * <pre>
 * m3vit.artifact      schema version ("1", as M³ViT artifacts)
 * m3vit.kind          "generalist" (infer.ModelArtifact refuses such a file with a pointer here)
 * m3vit.config        the effective experiment YAML (model and train sections)
 * m3vit.config_hash   its SHA-256
 * m3vit.tokenizer     the tokenizer.json the model was trained with (so texts tokenize the same anywhere)
 * m3vit.tasks         the task ids trained, comma-separated
 * m3vit.version       the m3vit version that wrote it
 * m3vit.source_run, m3vit.epoch, m3vit.&lt;key&gt;   provenance, as M³ViT artifacts
 * </pre>
 */
public final class GeneralistArtifact {

    public static final String KIND = "generalist";
    static final String PREFIX = "m3vit.";

    private GeneralistArtifact() {}

    /** What a loaded artifact holds. */
    public record Loaded(
            GeneralistConfig config, SubwordTokenizer tokenizer, GeneralistModel model, Provenance provenance)
            implements AutoCloseable {
        @Override
        public void close() {
            tokenizer.close();
        }
    }

    public static void save(
            GeneralistModel model,
            GeneralistConfig config,
            SubwordTokenizer tokenizer,
            Path file,
            Provenance provenance)
            throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : StateDict.parameters(model).entrySet()) {
            NDArray a = e.getValue().getArray();
            tensors.put(
                    e.getKey(),
                    Tensor.of(
                            a.getShape().getShape(),
                            a.toType(DataType.FLOAT32, false).toFloatArray()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("producer", "m3vit");
        meta.put(PREFIX + "artifact", ModelArtifact.SCHEMA);
        meta.put(PREFIX + "kind", KIND);
        meta.put(PREFIX + "config", config.yaml());
        meta.put(PREFIX + "config_hash", config.hash());
        meta.put(PREFIX + "tokenizer", tokenizer.json());
        meta.put(PREFIX + "tasks", String.join(",", config.taskIds()));
        meta.put(PREFIX + "version", ModelArtifact.version());
        if (provenance.sourceRun() != null) {
            meta.put(PREFIX + "source_run", provenance.sourceRun());
        }
        if (provenance.epoch() != null) {
            meta.put(PREFIX + "epoch", Integer.toString(provenance.epoch()));
        }
        provenance.extra().forEach((k, v) -> meta.putIfAbsent(PREFIX + k, v));
        SafetensorsWriter.write(file, tensors, meta);
    }

    /** Reads the artifact: its config and tokenizer, a model of that config with the file's weights. */
    public static Loaded load(Path file, NDManager manager) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "weights file does not exist or is not a file");
        }
        Map<String, String> meta;
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            meta = st.metadata();
        }
        if (!KIND.equals(meta.get(PREFIX + "kind"))) {
            throw InvalidInputException.file(
                    file,
                    "not a generalist artifact (m3vit.kind is " + meta.get(PREFIX + "kind")
                            + "); M³ViT weights are evaluated with m3vit eval");
        }
        GeneralistConfig config;
        try {
            config = GeneralistConfig.parse(YamlValues.parse(required(file, meta, "config"), file + " (m3vit.config)"));
        } catch (InvalidInputException e) {
            throw InvalidInputException.file(file, "its embedded config is invalid: " + e.getMessage());
        }
        SubwordTokenizer tokenizer =
                SubwordTokenizer.fromJson(required(file, meta, "tokenizer"), file + " (m3vit.tokenizer)");
        Map<String, String> extra = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(PREFIX)
                    && !List.of(
                                    "artifact",
                                    "kind",
                                    "config",
                                    "config_hash",
                                    "tokenizer",
                                    "tasks",
                                    "version",
                                    "source_run",
                                    "epoch")
                            .contains(k.substring(PREFIX.length()))) {
                extra.put(k.substring(PREFIX.length()), v);
            }
        });
        Integer epoch = meta.containsKey(PREFIX + "epoch") ? Integer.valueOf(meta.get(PREFIX + "epoch")) : null;
        Engine.getInstance().setRandomSeed(0);
        GeneralistModel model = new GeneralistModel(
                        config.model(),
                        tokenizer.vocabSize(),
                        GeneralistTask.all().size())
                .initialize(manager);
        loadWeights(model, file);
        return new Loaded(config, tokenizer, model, new Provenance(meta.get(PREFIX + "source_run"), epoch, extra));
    }

    private static String required(Path file, Map<String, String> meta, String key) {
        String v = meta.get(PREFIX + key);
        if (v == null) {
            throw InvalidInputException.file(file, "artifact metadata lacks " + PREFIX + key);
        }
        return v;
    }

    /** Loads {@code file}'s tensors into {@code model}; names and shapes must match exactly (checked first). */
    public static void loadWeights(GeneralistModel model, Path file) throws IOException {
        Map<String, Parameter> params = StateDict.parameters(model);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                long[] want = e.getValue().getArray().getShape().getShape();
                TensorInfo info = st.tensors().get(e.getKey());
                if (info == null) {
                    problems.add("missing " + e.getKey() + " " + TensorInfo.shapeString(want));
                } else if (!Arrays.equals(info.shape(), want)) {
                    problems.add(e.getKey() + ": expected " + TensorInfo.shapeString(want) + ", file has "
                            + info.shapeString());
                }
            }
            for (String name : st.tensors().keySet()) {
                if (!params.containsKey(name)) {
                    problems.add("unexpected " + name);
                }
            }
            if (!problems.isEmpty()) {
                throw InvalidInputException.file(
                        file,
                        "does not match the model (" + model.config() + "): "
                                + String.join("; ", problems.subList(0, Math.min(12, problems.size())))
                                + (problems.size() > 12 ? "; … " + (problems.size() - 12) + " more" : ""));
            }
            Map<Parameter, float[]> values = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                values.put(e.getValue(), st.floats(e.getKey()));
            }
            try (NDManager tmp = NDManager.newBaseManager()) {
                values.forEach((p, v) -> ModelWeights.copyInto(tmp, p, v));
            }
        }
    }
}
