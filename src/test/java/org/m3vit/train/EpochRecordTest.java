package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** metrics.jsonl's line format: the field names and number spelling that existing runs use. */
class EpochRecordTest {

    @Test
    void writesTheDocumentedFieldsInOrder() {
        Map<String, Double> sal = new LinkedHashMap<>();
        sal.put("maxF", 0.7);
        sal.put("mIoU", null); // a non-finite metric is recorded as absent
        EpochRecord r =
                new EpochRecord(2, 40L, 6.942532E-4f, Map.of("sal", 1.5), 0.25, 3.5, Map.of("sal", sal), 3.0, 9.0);
        assertEquals(
                "{\"epoch\":2,\"global_step\":40,\"lr\":6.942532E-4,\"train_loss\":{\"sal\":1.5},"
                        + "\"aux_loss\":0.25,\"grad_norm\":3.5,\"val\":{\"sal\":{\"maxF\":0.7}},\"delta_m\":3.0,\"seconds\":9.0}",
                r.toJson());
        assertEquals(
                "{\"epoch\":1,\"lr\":0.001}",
                new EpochRecord(1, null, 0.001f, null, null, null, null, null, null).toJson(),
                "absent fields are left out; the lr keeps the float's digits");
    }

    @Test
    void parsesWhatItWritesAndIgnoresUnknownFields() {
        EpochRecord r = new EpochRecord(
                3, 12L, 0.001f, Map.of("semseg", 2.5), 0.0, 1.25, Map.of("semseg", Map.of("mIoU", 0.25)), -4.5, 1.0);
        assertEquals(r, EpochRecord.parse(r.toJson(), "x"));
        EpochRecord back = EpochRecord.parse("{\"epoch\": 7, \"train_loss\": {\"semseg\": 2}, \"extra\": 1}", "x");
        assertEquals(7, back.epoch());
        assertEquals(2.0, back.totalTrainLoss());
        assertNull(back.val());
        assertThrows(UnsupportedOperationException.class, () -> back.trainLoss().put("sal", 1.0));
        assertThrows(IllegalArgumentException.class, () -> EpochRecord.parse("{\"epoch\": [", "metrics.jsonl:3"));
    }
}
