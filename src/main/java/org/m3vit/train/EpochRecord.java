package org.m3vit.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.annotations.SerializedName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;

/**
 * One line of a run's {@code metrics.jsonl}: what the trainer records after each epoch, and what the report
 * reads back. The JSON field names are fixed (existing runs use them):
 * <pre>
 * {"epoch": 3,                                    1-based epoch number
 *  "global_step": 120,                            optimizer steps taken so far (= schedule position)
 *  "lr": 0.0012,                                  the epoch's learning rate (its last step's)
 *  "train_loss": {"semseg": 1.2, "depth": 0.4},   mean unweighted training loss per task over the epoch
 *  "aux_loss": 0.01,                              mean MoE balancing loss per step (0 for dense models)
 *  "grad_norm": 3.1,                              mean global gradient norm per step, before clipping
 *  "val": {"semseg": {"mIoU": 0.31}, ...},        validation metrics, same keys as m3vit eval's JSON; absent
 *                                                 on epochs without validation; a non-finite value is absent
 *  "delta_m": -12.5,                              Δm in percent on that validation, absent without it
 *  "seconds": 81.2,                               wall time of the epoch (training + validation)
 *  "score": 0.61}                                 the selection score of a model whose best epoch is not
 *                                                 picked by Δm (the generalist's), absent otherwise
 * </pre>
 * Every field but {@code epoch} may be absent (null); unknown fields are ignored, so the trainer can add
 * more. The maps are unmodifiable copies, in insertion order (tasks in the reference order).
 *
 * @param lr a {@code Float}, as the schedule computes it, so that the JSON shows the float's digits
 *     ({@code 0.001}, not {@code 0.0010000000474974513})
 */
public record EpochRecord(
        int epoch,
        @SerializedName("global_step") Long globalStep,
        Float lr,
        @SerializedName("train_loss") Map<String, Double> trainLoss,
        @SerializedName("aux_loss") Double auxLoss,
        @SerializedName("grad_norm") Double gradNorm,
        Map<String, Map<String, Double>> val,
        @SerializedName("delta_m") Double deltaM,
        Double seconds,
        Double score) {

    // Gson writes null fields as absent and drops null map values, which is how absent metrics are spelt.
    private static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .serializeSpecialFloatingPointValues()
            .create();

    /** A record without a selection score (M³ViT's, whose best epoch is picked by {@code delta_m}). */
    public EpochRecord(
            int epoch,
            Long globalStep,
            Float lr,
            Map<String, Double> trainLoss,
            Double auxLoss,
            Double gradNorm,
            Map<String, Map<String, Double>> val,
            Double deltaM,
            Double seconds) {
        this(epoch, globalStep, lr, trainLoss, auxLoss, gradNorm, val, deltaM, seconds, null);
    }

    public EpochRecord {
        trainLoss = trainLoss == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(trainLoss));
        if (val != null) {
            Map<String, Map<String, Double>> v = new LinkedHashMap<>();
            val.forEach((task, metrics) ->
                    v.put(task, metrics == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(metrics))));
            val = Collections.unmodifiableMap(v);
        }
    }

    /** Sum of the per-task training losses (null when none were recorded). */
    public Double totalTrainLoss() {
        if (trainLoss == null || trainLoss.isEmpty()) {
            return null;
        }
        double s = 0;
        for (double v : trainLoss.values()) {
            s += v;
        }
        return s;
    }

    /** One JSONL line (no newline). */
    public String toJson() {
        return GSON.toJson(this);
    }

    /**
     * Parses one JSONL line; a malformed line is an {@link InvalidInputException} naming {@code where}: not
     * a JSON object, a field of the wrong type, an epoch below 1, a negative step or a missing loss value.
     * NaN and Infinity, which older runs may have written for a metric, are accepted (as absent metrics
     * are).
     */
    public static EpochRecord parse(String line, String where) {
        EpochRecord r;
        try {
            JsonElement e = JsonParser.parseString(line);
            if (!e.isJsonObject()) {
                throw InvalidInputException.file(where, "malformed epoch record (expected a JSON object)");
            }
            r = GSON.fromJson(e, EpochRecord.class);
        } catch (JsonParseException | IllegalStateException | NumberFormatException | UnsupportedOperationException e) {
            throw InvalidInputException.file(where, "malformed epoch record (not JSON, or a field of the wrong type)");
        }
        if (r == null) {
            throw InvalidInputException.file(where, "empty record");
        }
        if (r.epoch() < 1 || (r.globalStep() != null && r.globalStep() < 0)) {
            throw InvalidInputException.file(
                    where, "impossible epoch record (epoch " + r.epoch() + ", global_step " + r.globalStep() + ")");
        }
        if (r.trainLoss() != null && r.trainLoss().containsValue(null)) {
            throw InvalidInputException.file(where, "malformed epoch record (a train_loss value is missing)");
        }
        return r;
    }

    /** Modifiable copies of nested maps (such as {@link #val()}) for a caller that builds on them. */
    public static Map<String, Map<String, Double>> copy(Map<String, Map<String, Double>> m) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, v == null ? null : new LinkedHashMap<>(v)));
        }
        return out;
    }
}
