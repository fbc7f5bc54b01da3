package org.m3vit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.m3vit.serve.ServeTestSupport.assertClose;
import static org.m3vit.serve.ServeTestSupport.get;
import static org.m3vit.serve.ServeTestSupport.json;
import static org.m3vit.serve.ServeTestSupport.outputData;
import static org.m3vit.serve.ServeTestSupport.post;
import static org.m3vit.serve.ServeTestSupport.randomImage;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.io.ImageFiles;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.Task;

/** Answers of a real server equal the Predictor's, for every input and output form of the protocol. */
class InferEndpointTest {

    @TempDir
    static Path dir;

    static InferenceServer server;
    static Predictor predictor;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        Path w = ServeTestSupport.tinyArtifact(dir);
        server = InferenceServer.start(ServerSettings.defaults(), List.of(ModelSpec.weights("tiny", w, null)));
        server.loaded().get();
        base = server.uri();
        predictor = Predictor.builder().weights(w).build();
    }

    @AfterAll
    static void stop() {
        server.shutdown();
        predictor.close();
    }

    @Test
    void fp32JsonEqualsThePredictorOnEveryTask() throws Exception {
        float[] x = randomImage(1);
        HttpResponse<byte[]> r = post(
                base, "/v2/models/tiny/infer", InferBody.fp32(new long[] {1, 3, 64, 64}, x, List.of(), false, false));
        assertEquals(200, r.statusCode(), new String(r.body()));
        JsonNode out = json(r);
        assertEquals("tiny", out.get("model_name").asText());
        assertEquals(5, out.get("outputs").size());
        for (Task t : predictor.config().tasks().tasks()) {
            float[] want =
                    predictor.predict(ModelInput.normalised(x, 3, 64, 64), t).floats();
            assertClose(t.id(), want, outputData(out, t.id()), 1e-5);
            JsonNode o = find(out, t.id());
            assertEquals("FP32", o.get("datatype").asText());
            assertEquals(
                    "[1," + predictor.config().tasks().channels(t) + ",64,64]",
                    o.get("shape").toString());
        }
    }

    @Test
    void aBatchOfTwoAndOneTaskByParameterByModelNameAndByOutputs() throws Exception {
        float[] a = randomImage(2);
        float[] b = randomImage(3);
        float[] ab = new float[2 * a.length];
        System.arraycopy(a, 0, ab, 0, a.length);
        System.arraycopy(b, 0, ab, a.length, b.length);
        float[] want = new float[2 * 3 * 64 * 64];
        System.arraycopy(
                predictor
                        .predict(ModelInput.normalised(a, 3, 64, 64), Task.NORMALS)
                        .floats(),
                0,
                want,
                0,
                want.length / 2);
        System.arraycopy(
                predictor
                        .predict(ModelInput.normalised(b, 3, 64, 64), Task.NORMALS)
                        .floats(),
                0,
                want,
                want.length / 2,
                want.length / 2);
        InferBody byParam = InferBody.fp32(new long[] {2, 3, 64, 64}, ab, List.of("normals"), false, false);
        InferBody all = InferBody.fp32(new long[] {2, 3, 64, 64}, ab, List.of(), false, false);
        String byOutputs = new String(all.bytes()).replaceFirst("\\}$", ",\"outputs\":[{\"name\":\"normals\"}]}");
        for (HttpResponse<byte[]> r : List.of(
                post(base, "/v2/models/tiny/infer", byParam),
                post(base, "/v2/models/tiny-normals/infer", all),
                ServeTestSupport.postJson(base, "/v2/models/tiny/infer", byOutputs))) {
            assertEquals(200, r.statusCode(), new String(r.body()));
            JsonNode out = json(r);
            assertEquals(1, out.get("outputs").size(), out.toString().substring(0, 100));
            assertClose("normals", want, outputData(out, "normals"), 1e-5);
        }
    }

    @Test
    void binaryExtensionInAndOut() throws Exception {
        float[] x = randomImage(4);
        InferBody body = InferBody.fp32(new long[] {1, 3, 64, 64}, x, List.of("sal", "edge"), false, true);
        HttpResponse<byte[]> r = post(base, "/v2/models/tiny/infer", body);
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals(
                "application/octet-stream",
                r.headers().firstValue("Content-Type").orElseThrow());
        Map<String, float[]> out = outputs(r);
        assertEquals(List.of("sal", "edge"), new ArrayList<>(out.keySet()));
        for (Task t : List.of(Task.SAL, Task.EDGE)) {
            assertClose(
                    t.id(),
                    predictor.predict(ModelInput.normalised(x, 3, 64, 64), t).floats(),
                    out.get(t.id()),
                    1e-5);
        }
    }

    /** The FP32 outputs of a response by name, read from JSON data or from the binary data after the JSON. */
    static Map<String, float[]> outputs(HttpResponse<byte[]> r) throws Exception {
        String header =
                r.headers().firstValue("Inference-Header-Content-Length").orElse(null);
        int jsonLength = header == null ? r.body().length : Integer.parseInt(header);
        JsonNode head = ServeTestSupport.JSON.readTree(new ByteArrayInputStream(r.body(), 0, jsonLength));
        Map<String, float[]> out = new LinkedHashMap<>();
        int at = jsonLength;
        for (JsonNode o : head.get("outputs")) {
            String name = o.get("name").asText();
            if (o.get("data") != null) {
                out.put(name, outputData(head, name));
                continue;
            }
            int size = o.get("parameters").get("binary_data_size").asInt();
            float[] got = new float[size / 4];
            ByteBuffer.wrap(r.body(), at, size)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(got);
            at += size;
            out.put(name, got);
        }
        assertEquals(r.body().length, at, "the binary outputs fill the rest of the body");
        return out;
    }

    @Test
    void anEncodedPngEqualsThePredictorOnTheDecodedImage() throws Exception {
        byte[] rgb = new byte[48 * 80 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) ((i * 7) % 251);
        }
        byte[] png = ImageFiles.rgbPng(48, 80, rgb);
        ImageFiles.Pixels px = ImageFiles.decodeRgb(png, "test", 1 << 20);
        for (boolean binary : new boolean[] {false, true}) {
            HttpResponse<byte[]> r = post(
                    base,
                    "/v2/models/tiny/infer",
                    InferBody.images(List.of(png), List.of("semseg", "normals"), false, binary));
            assertEquals(200, r.statusCode(), new String(r.body()));
            Map<String, float[]> out = outputs(r);
            for (Task t : List.of(Task.SEMSEG, Task.NORMALS)) {
                float[] want = predictor
                        .predict(ModelInput.image(px.data, px.height, px.width), t)
                        .floats();
                assertClose(t.id() + (binary ? " (binary)" : ""), want, out.get(t.id()), 1e-5);
            }
        }
    }

    @Test
    void pngOutputsAreTheVisualizedPredictions() throws Exception {
        float[] x = randomImage(5);
        HttpResponse<byte[]> r = post(
                base,
                "/v2/models/tiny/infer",
                InferBody.fp32(new long[] {1, 3, 64, 64}, x, List.of("semseg", "sal"), true, false));
        assertEquals(200, r.statusCode(), new String(r.body()));
        for (JsonNode o : json(r).get("outputs")) {
            assertEquals("BYTES", o.get("datatype").asText());
            assertEquals("[1]", o.get("shape").toString());
            Task t = Task.parse(o.get("name").asText());
            BufferedImage got = ImageIO.read(new ByteArrayInputStream(
                    Base64.getDecoder().decode(o.get("data").get(0).asText())));
            BufferedImage want = t.spec()
                    .render(new HeadOutput(
                            predictor
                                    .predict(ModelInput.normalised(x, 3, 64, 64), t)
                                    .floats(),
                            predictor.config().tasks().channels(t),
                            64,
                            64));
            assertEquals(64, got.getWidth());
            int differ = 0;
            for (int y = 0; y < 64; y++) {
                for (int xx = 0; xx < 64; xx++) {
                    differ += got.getRGB(xx, y) == want.getRGB(xx, y) ? 0 : 1;
                }
            }
            assertEquals(0, differ, t.id() + ": pixels that differ from the task spec's render");
        }
    }

    @Test
    void requestIdIsEchoed() throws Exception {
        String body = new String(
                        InferBody.fp32(new long[] {1, 3, 64, 64}, randomImage(6), List.of("edge"), false, false)
                                .bytes())
                .replaceFirst("^\\{", "{\"id\":\"req-42\",");
        JsonNode out = json(ServeTestSupport.postJson(base, "/v2/models/tiny/infer", body));
        assertEquals("req-42", out.get("id").asText());
    }

    @Test
    void healthMetadataAndMetrics() throws Exception {
        assertEquals("{\"live\":true}", new String(get(base, "/v2/health/live").body()));
        assertEquals(200, get(base, "/v2/health/ready").statusCode());
        JsonNode server = json(get(base, "/v2"));
        assertEquals("m3vit", server.get("name").asText());
        assertTrue(server.get("extensions").toString().contains("binary_tensor_data"));
        JsonNode meta = json(get(base, "/v2/models/tiny"));
        assertEquals(
                "[\"semseg\",\"human_parts\",\"sal\",\"normals\",\"edge\"]",
                meta.get("tasks").toString());
        assertEquals("[-1,3,64,64]", meta.get("inputs").get(0).get("shape").toString());
        assertEquals("BYTES", meta.get("inputs").get(1).get("datatype").asText());
        List<String> outputs = new ArrayList<>();
        meta.get("outputs").forEach(o -> outputs.add(o.get("name").asText() + o.get("shape")));
        assertEquals(
                List.of(
                        "semseg[-1,21,64,64]",
                        "human_parts[-1,7,64,64]",
                        "sal[-1,1,64,64]",
                        "normals[-1,3,64,64]",
                        "edge[-1,1,64,64]"),
                outputs);
        assertEquals(
                "[\"normals\"]",
                json(get(base, "/v2/models/tiny-normals")).get("tasks").toString());
        assertEquals(
                "{\"name\":\"tiny\",\"ready\":true}",
                new String(get(base, "/v2/models/tiny/ready").body()));
        assertTrue(json(get(base, "/v2/models")).toString().contains("\"name\":\"tiny\""));
        HttpResponse<byte[]> page = get(base, "/");
        assertTrue(new String(page.body()).contains("m3vit serve"), "the web page");
        String metrics = new String(get(base, "/metrics").body());
        for (String m : List.of(
                "m3vit_requests_total",
                "m3vit_request_latency_seconds_bucket",
                "m3vit_queue_depth",
                "m3vit_batch_size_bucket",
                "m3vit_expert_loaded_bytes_total{model=\"tiny\"}",
                "m3vit_requests_inflight")) {
            assertTrue(metrics.contains(m), "metrics show " + m);
        }
        // Two MoE blocks of four experts, each two (32 x 32) weights and two 32-biases, float32.
        assertEquals(
                2 * 4 * (2 * 32 * 32 + 2 * 32) * 4.0,
                ServeTestSupport.metric(base, "m3vit_expert_loaded_bytes_total{model=\"tiny\"}"));
    }

    private static JsonNode find(JsonNode response, String name) {
        for (JsonNode o : response.get("outputs")) {
            if (o.get("name").asText().equals(name)) {
                return o;
            }
        }
        throw new AssertionError(name);
    }
}
