package org.m3vit.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.m3vit.config.ConfigLoader;
import org.m3vit.data.MatFiles;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.train.Checkpoint;
import org.m3vit.train.EpochRecord;

/**
 * Fuzz tests of every parser of untrusted input (Jazzer). The property: a valid result, or an
 * {@link IllegalArgumentException} (m3vit's bad-input error) with a short, non-empty message; any other
 * exception, an {@code OutOfMemoryError} or a hang is a finding. {@code mvn test} runs the committed corpus
 * in {@code src/test/resources/org/m3vit/reliability/ParsersFuzzTestInputs/<method>/} (seeds and the
 * inputs of past findings) as plain tests; {@code scripts/fuzz.sh} fuzzes with {@code JAZZER_FUZZ=1}.
 */
class ParsersFuzzTest {

    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("m3vit-fuzz");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FunctionalInterface
    interface Parse {
        void run() throws Exception;
    }

    /** The property: success, or a clear bad-input error. */
    static void clear(Parse p) throws Exception {
        try {
            p.run();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            assertTrue(m != null && !m.isBlank() && m.length() <= 2000, "unclear message: " + m);
        }
    }

    private static Path file(String name, byte[] bytes) throws IOException {
        Path f = DIR.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @FuzzTest(maxDuration = "60s")
    void safetensors(byte[] data) throws Exception {
        Path f = file("x.safetensors", data);
        clear(() -> {
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                for (String name : st.tensors().keySet()) {
                    st.read(name);
                }
                st.metadata();
            }
        });
    }

    @FuzzTest(maxDuration = "60s")
    void npy(byte[] data) throws Exception {
        clear(() -> NpyFiles.parse("x.npy", data));
        Path f = file("x.npy", data);
        clear(() -> NpyFiles.read(f).requireFinite("x.npy"));
    }

    @FuzzTest(maxDuration = "60s")
    void mat(byte[] data) throws Exception {
        Path f = file("x.mat", data);
        clear(() -> MatFiles.readLabelMap(f, 16, 16));
        clear(() -> MatFiles.readHumanParts(f, 16, 16));
    }

    @FuzzTest(maxDuration = "60s")
    void yamlConfig(byte[] data) throws Exception {
        Path f = file("x.yml", data);
        clear(() -> ConfigLoader.load(f));
    }

    @FuzzTest(maxDuration = "60s")
    void image(byte[] data) throws Exception {
        Path f = file("x.img", data);
        clear(() -> ImageFiles.readRgb(f));
        clear(() -> ImageFiles.readIndexed(f));
        clear(() -> ImageFiles.readGray(f));
    }

    @FuzzTest(maxDuration = "60s")
    void splitFile(byte[] data) throws Exception {
        Path f = file("val.txt", data);
        clear(() -> MultiTaskReader.readIds(f));
    }

    @FuzzTest(maxDuration = "60s")
    void checkpointJson(byte[] data) throws Exception {
        Path run = Files.createDirectories(DIR.resolve("run"));
        Path f = run.resolve("checkpoint.json");
        Files.write(f, data);
        clear(() -> Checkpoint.readState(f));
    }

    @FuzzTest(maxDuration = "60s")
    void metricsJsonl(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String line : text.split("\n", 64)) {
            clear(() -> {
                EpochRecord r = EpochRecord.parse(line, "metrics.jsonl:1");
                r.totalTrainLoss();
                r.toJson();
                Map<String, Map<String, Double>> v = EpochRecord.copy(r.val());
                v.size();
            });
        }
    }
}
