package org.m3vit.infer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ConfigWriter;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.runtime.ExpertMetadata;

/**
 * The self-describing weights file: reference-named safetensors whose {@code __metadata__} also carries
 * the full model config (YAML), the task list, the preprocessing and the provenance, so that a weights
 * file alone is enough to predict. Schema version {@value #SCHEMA}; every key is read and written here
 * and nowhere else:
 *
 * <pre>
 * m3vit.artifact     schema version ("1")
 * m3vit.config       the effective model config, YAML in the reference layout ({@link ConfigWriter})
 * m3vit.config_hash  SHA-256 of that YAML
 * m3vit.tasks        task ids in reference order, comma-separated
 * m3vit.input_size   HxW
 * m3vit.mean, .std   three comma-separated floats each (RGB)
 * m3vit.version      the m3vit version that wrote it
 * m3vit.source_run   the run directory (absent for init-weights, import-timm)
 * m3vit.epoch        completed epochs (absent outside training)
 * m3vit.&lt;key&gt;       further provenance facts (seed, delta_m, imported_from, global_step)
 * m3vit.experts.*    how the experts are stored (expert-major layout, dropped experts): owned by
 *                    {@link ExpertMetadata}, not provenance
 * </pre>
 *
 * Reference-format files (no {@code m3vit.artifact}) still load, with a config given alongside.
 */
public final class ModelArtifact {

    public static final String SCHEMA = "1";
    static final String PREFIX = "m3vit.";
    static final String KEY_SCHEMA = PREFIX + "artifact";
    static final String KEY_CONFIG = PREFIX + "config";
    static final String KEY_CONFIG_HASH = PREFIX + "config_hash";
    static final String KEY_TASKS = PREFIX + "tasks";
    static final String KEY_INPUT_SIZE = PREFIX + "input_size";
    static final String KEY_MEAN = PREFIX + "mean";
    static final String KEY_STD = PREFIX + "std";
    static final String KEY_VERSION = PREFIX + "version";
    static final String KEY_SOURCE_RUN = PREFIX + "source_run";
    static final String KEY_EPOCH = PREFIX + "epoch";
    /** Present only in artifacts of other model kinds (the generalist's), which this class does not read. */
    static final String KEY_KIND = PREFIX + "kind";

    private ModelArtifact() {}

    /** What a weights file says about itself; {@code config} is null for a reference-format file. */
    public record Info(
            Path file,
            String schema,
            ModelConfig config,
            Preprocessing preprocessing,
            String version,
            Provenance provenance) {

        public boolean selfDescribing() {
            return config != null;
        }
    }

    /** Saves {@code model}'s weights with the artifact metadata, atomically. */
    public static void save(MultiTaskModel model, Path file, Provenance provenance) throws IOException {
        ModelWeights.save(
                model,
                file,
                metadata(
                        model.config(),
                        Preprocessing.imagenet(
                                model.config().imgHeight(), model.config().imgWidth()),
                        provenance));
    }

    /** The metadata entries of an artifact of {@code config}. */
    public static Map<String, String> metadata(ModelConfig config, Preprocessing pre, Provenance provenance) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(KEY_SCHEMA, SCHEMA);
        m.put(KEY_CONFIG, ConfigWriter.yaml(config));
        m.put(KEY_CONFIG_HASH, ConfigWriter.hash(config));
        m.put(KEY_TASKS, String.join(",", config.tasks().ids()));
        m.put(KEY_INPUT_SIZE, pre.height() + "x" + pre.width());
        m.put(KEY_MEAN, floats(pre.mean()));
        m.put(KEY_STD, floats(pre.std()));
        m.put(KEY_VERSION, version());
        if (provenance.sourceRun() != null) {
            m.put(KEY_SOURCE_RUN, provenance.sourceRun());
        }
        if (provenance.epoch() != null) {
            m.put(KEY_EPOCH, Integer.toString(provenance.epoch()));
        }
        provenance.extra().forEach((k, v) -> m.putIfAbsent(PREFIX + k, v));
        return m;
    }

    /**
     * The metadata for a file derived from {@code weights} (packed, extracted) as a model of {@code config}:
     * the source's preprocessing and provenance when it is an artifact, ImageNet preprocessing at the
     * config's size otherwise. Storage-layout keys ({@code m3vit.experts.*}) are not carried over.
     */
    public static Map<String, String> derivedMetadata(Path weights, ModelConfig config) throws IOException {
        Info info = read(weights);
        Preprocessing pre = info.selfDescribing()
                ? info.preprocessing()
                : Preprocessing.imagenet(config.imgHeight(), config.imgWidth());
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("producer", "m3vit");
        m.putAll(metadata(config, pre, info.provenance()));
        return m;
    }

    /** Reads a weights file's metadata (not its tensors). */
    public static Info read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.file(file, "weights file does not exist or is not a file");
        }
        Map<String, String> meta;
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            meta = st.metadata();
        } catch (InvalidInputException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // a truncated or malformed file: the message already names the file and what is wrong
            throw new InvalidInputException(InvalidInputException.Kind.FILE, file.toString(), e.getMessage(), e);
        }
        String kind = meta.get(KEY_KIND);
        if (kind != null) {
            throw InvalidInputException.file(
                    file,
                    "is a " + kind + " model (" + KEY_KIND + " " + kind + "), not an M³ViT one; it runs with m3vit "
                            + kind + " eval");
        }
        String schema = meta.get(KEY_SCHEMA);
        if (schema == null) {
            return new Info(file, null, null, null, null, Provenance.none());
        }
        if (!SCHEMA.equals(schema)) {
            throw InvalidInputException.file(
                    file,
                    "artifact schema " + schema + " is not supported (this m3vit reads" + " schema " + SCHEMA + ")");
        }
        String yaml = required(file, meta, KEY_CONFIG);
        ModelConfig config;
        try {
            config = ConfigLoader.parse(yaml, Map.of());
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.file(file, "its embedded model config is invalid: " + e.getMessage());
        }
        String tasks = required(file, meta, KEY_TASKS);
        if (!tasks.equals(String.join(",", config.tasks().ids()))) {
            throw InvalidInputException.file(
                    file,
                    KEY_TASKS + " '" + tasks + "' disagrees with its config's tasks "
                            + config.tasks().ids());
        }
        Preprocessing pre = preprocessing(file, meta);
        if (pre.height() != config.imgHeight() || pre.width() != config.imgWidth()) {
            throw InvalidInputException.file(
                    file,
                    KEY_INPUT_SIZE + " " + pre.height() + "x" + pre.width() + " disagrees with its config's img_size "
                            + config.imgHeight() + "x" + config.imgWidth());
        }
        Map<String, String> extra = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(PREFIX)
                    && !k.startsWith(ExpertMetadata.PREFIX)
                    && !List.of(
                                    KEY_SCHEMA,
                                    KEY_CONFIG,
                                    KEY_CONFIG_HASH,
                                    KEY_TASKS,
                                    KEY_INPUT_SIZE,
                                    KEY_MEAN,
                                    KEY_STD,
                                    KEY_VERSION,
                                    KEY_SOURCE_RUN,
                                    KEY_EPOCH)
                            .contains(k)) {
                extra.put(k.substring(PREFIX.length()), v);
            }
        });
        Integer epoch = null;
        if (meta.containsKey(KEY_EPOCH)) {
            try {
                epoch = Integer.parseInt(meta.get(KEY_EPOCH));
            } catch (NumberFormatException e) {
                throw InvalidInputException.file(file, KEY_EPOCH + " '" + meta.get(KEY_EPOCH) + "' is not a number");
            }
        }
        return new Info(
                file,
                schema,
                config,
                pre,
                meta.get(KEY_VERSION),
                new Provenance(meta.get(KEY_SOURCE_RUN), epoch, extra));
    }

    /**
     * The model config to use with a weights file: the file's own, the one given, or both when they agree.
     *
     * @param given a config from elsewhere (a YAML file plus overrides), or null
     */
    public static ModelConfig resolveConfig(Path weights, ModelConfig given) throws IOException {
        Info info = read(weights);
        if (!info.selfDescribing()) {
            if (given == null) {
                throw InvalidInputException.file(
                        weights,
                        "carries no model config (a reference-format weights file);"
                                + " give the experiment config it was trained with");
            }
            return given;
        }
        if (given == null) {
            return info.config();
        }
        ConfigWriter.Difference d = ConfigWriter.firstDifference(info.config(), given);
        if (d != null) {
            throw InvalidInputException.key(
                    d.key(),
                    "the config given says " + describe(d.second()) + " but the weights " + weights
                            + " were saved with " + describe(d.first()));
        }
        return given;
    }

    private static String describe(Object v) {
        return v == null ? "nothing (no such key)" : String.valueOf(v);
    }

    /** The m3vit version of this build ("dev" when run from classes without the filtered resource). */
    public static String version() {
        try (InputStream in = ModelArtifact.class.getResourceAsStream("/org/m3vit/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }

    private static Preprocessing preprocessing(Path file, Map<String, String> meta) {
        String size = required(file, meta, KEY_INPUT_SIZE);
        String[] hw = size.split("x");
        try {
            if (hw.length != 2) {
                throw new NumberFormatException();
            }
            return new Preprocessing(
                    Integer.parseInt(hw[0]),
                    Integer.parseInt(hw[1]),
                    parseFloats(file, KEY_MEAN, required(file, meta, KEY_MEAN)),
                    parseFloats(file, KEY_STD, required(file, meta, KEY_STD)));
        } catch (NumberFormatException e) {
            throw InvalidInputException.file(file, KEY_INPUT_SIZE + " '" + size + "' is not HxW");
        } catch (InvalidInputException e) {
            throw InvalidInputException.file(file, "preprocessing metadata: " + e.getMessage());
        }
    }

    private static String required(Path file, Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw InvalidInputException.file(file, "artifact metadata lacks " + key);
        }
        return v;
    }

    private static String floats(float[] v) {
        List<String> parts = new ArrayList<>();
        for (float f : v) {
            parts.add(Float.toString(f));
        }
        return String.join(",", parts);
    }

    private static float[] parseFloats(Path file, String key, String text) {
        String[] parts = text.split(",");
        float[] out = new float[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Float.parseFloat(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw InvalidInputException.file(file, key + " '" + text + "' is not a list of numbers");
        }
        return out;
    }
}
