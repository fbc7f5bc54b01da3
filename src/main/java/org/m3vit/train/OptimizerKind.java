package org.m3vit.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.m3vit.errors.InvalidInputException;

/** The YAML key {@code optimizer}: which {@link ParameterOptimizer} trains the model. */
public enum OptimizerKind {
    /** PyTorch SGD with momentum; decay on every parameter (the reference default). */
    SGD,
    /** AdamW with decoupled decay; no decay on norms, biases, pos_embed and cls_token. */
    ADAMW;

    /** The spelling in the YAML ({@code sgd}, {@code adamw}). */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the YAML value (any case); an unsupported one is an error naming the key {@code optimizer}. */
    public static OptimizerKind parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (OptimizerKind k : values()) {
            if (k.yamlName().equals(v)) {
                return k;
            }
        }
        throw InvalidInputException.key(
                "optimizer",
                "'" + v + "' is not supported; expected "
                        + Arrays.stream(values()).map(OptimizerKind::yamlName).collect(Collectors.joining(" or ")));
    }
}
