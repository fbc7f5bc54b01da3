package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.errors.InvalidInputException;

/** Bad input to a run is an {@link InvalidInputException} naming the key or file, never a CLI flag. */
class TrainingRunTest {

    private static InvalidInputException rejected(
            InvalidInputException.Kind kind, String subject, org.junit.jupiter.api.function.Executable e) {
        InvalidInputException x = assertThrows(InvalidInputException.class, e);
        assertEquals(kind, x.kind());
        assertEquals(subject, x.subject());
        assertFalse(x.getMessage().contains("--"), x.getMessage());
        return x;
    }

    @Test
    void badInputNamesTheKeyOrFile(@TempDir Path tmp) throws IOException {
        TrainConfig config = TrainConfig.load(TrainerTest.CONFIG, Map.of());
        rejected(
                InvalidInputException.Kind.CONFIG_KEY,
                "data_root",
                () -> TrainingRun.run(
                        config,
                        new TrainingRun.Options(null, tmp.resolve("run"), null, null, false, false, null),
                        s -> {},
                        s -> {}));
        Path nowhere = tmp.resolve("nowhere");
        rejected(
                InvalidInputException.Kind.FILE,
                nowhere.toString(),
                () -> TrainingRun.run(
                        config,
                        new TrainingRun.Options(nowhere, tmp.resolve("run"), null, null, false, false, null),
                        s -> {},
                        s -> {}));
        Path run = Files.createDirectories(tmp.resolve("empty-run"));
        rejected(
                InvalidInputException.Kind.FILE,
                new RunLayout(run).checkpointJson().toString(),
                () -> Checkpoint.jsonOf(run));
        Path notWeights = tmp.resolve("missing.safetensors");
        rejected(
                InvalidInputException.Kind.FILE,
                notWeights.toString(),
                () -> TrainingRun.loadPretrained(null, notWeights, false, tmp));
    }
}
