package org.m3vit.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.SerializedName;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a run's {@code metrics.jsonl}: what the trainer records after each epoch. This record is
 * the schema shared by the trainer (writer) and the report (reader); the JSON field names are:
 * <pre>
 * {"epoch": 3,                                    1-based epoch number
 *  "lr": 0.0012,                                  learning rate at the end of the epoch
 *  "train_loss": {"semseg": 1.2, "depth": 0.4},   mean weighted training loss per task over the epoch
 *  "aux_loss": 0.01,                              mean MoE balancing loss (0 or absent for dense models)
 *  "val": {"semseg": {"mIoU": 0.31}, ...},        validation metrics, same keys as m3vit eval's JSON; absent
 *                                                 on epochs without validation
 *  "delta_m": -12.5,                              Δm in percent on that validation, absent without it
 *  "seconds": 81.2}                               wall time of the epoch (training + validation)
 * </pre>
 * Every field but {@code epoch} may be absent (null); unknown fields are ignored, so the trainer can add more.
 */
public record EpochRecord(
        int epoch,
        Double lr,
        @SerializedName("train_loss") Map<String, Double> trainLoss,
        @SerializedName("aux_loss") Double auxLoss,
        Map<String, Map<String, Double>> val,
        @SerializedName("delta_m") Double deltaM,
        Double seconds) {

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

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

    /** Parses one JSONL line; a malformed line is an {@link IllegalArgumentException} quoting {@code where}. */
    public static EpochRecord parse(String line, String where) {
        try {
            EpochRecord r = GSON.fromJson(line, EpochRecord.class);
            if (r == null) {
                throw new IllegalArgumentException(where + ": empty record");
            }
            return r;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where + ": malformed epoch record (" + e.getMessage() + ")");
        }
    }

    /** Copies of nested maps so a caller cannot change a parsed record. */
    public static Map<String, Map<String, Double>> copy(Map<String, Map<String, Double>> m) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, new LinkedHashMap<>(v)));
        }
        return out;
    }
}
