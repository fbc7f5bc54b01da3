package org.m3vit.serve;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;

/**
 * A model to serve: the name clients use in {@code /v2/models/{name}} and how to load it. Loading happens
 * after the server listens, so that liveness answers while weights load and readiness turns true after.
 */
public record ModelSpec(String name, Loader loader) {

    /** Letters, digits, '.', '_' and '-'; it must start with a letter or digit (it is a URL path segment). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Loads the model; may take seconds. */
    @FunctionalInterface
    public interface Loader {
        ModelRunner load() throws Exception;
    }

    public ModelSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw InvalidInputException.field(
                    "name",
                    "'" + name + "' is not a usable model name (letters, digits,"
                            + " '.', '_', '-'; starting with a letter or digit; at most 128 characters)");
        }
    }

    /** A weights file through the Predictor; {@code config} only for a reference-format file (else null). */
    public static ModelSpec weights(String name, Path weights, ModelConfig config) {
        return new ModelSpec(name, () -> PredictorRunner.load(weights, config));
    }

    /** The default model name of a weights file: its file name without the extension. */
    public static String defaultName(Path weights) {
        String f = weights.getFileName().toString();
        int dot = f.indexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
