package org.m3vit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.m3vit.serve.ServeTestSupport.HTTP;
import static org.m3vit.serve.ServeTestSupport.post;
import static org.m3vit.serve.ServeTestSupport.randomImage;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.io.ImageFiles;

/**
 * Every client mistake gets a 4xx whose {@code {"error"}} names the problem, never a 500, and the server
 * keeps answering afterwards.
 */
class BadRequestTest {

    /** Small limits, so that the oversized cases are cheap to send. */
    static final long BODY_LIMIT = 1 << 20;

    @TempDir
    static Path dir;

    static InferenceServer server;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        Path w = ServeTestSupport.tinyArtifact(dir);
        ServerSettings s = ServerSettings.defaults().withLimits(BODY_LIMIT, 4, 100_000, Duration.ofSeconds(30));
        server = InferenceServer.start(s, List.of(ModelSpec.weights("tiny", w, null)));
        server.loaded().get();
        base = server.uri();
    }

    @AfterAll
    static void stop() {
        server.shutdown();
    }

    private static final String INFER = "/v2/models/tiny/infer";

    /** A valid FP32 request's JSON with {@code data} for {@code values} numbers. */
    private static String fp32(String shape, String datatype, int values, String parameters) {
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < values; i++) {
            d.append(i == 0 ? "" : ",").append("0.5");
        }
        return "{\"inputs\":[{\"name\":\"input\",\"shape\":" + shape + ",\"datatype\":\"" + datatype + "\",\"data\":["
                + d + "]}],\"parameters\":" + parameters + "}";
    }

    private static String image(String base64, String parameters) {
        return "{\"inputs\":[{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"" + base64
                + "\"]}],\"parameters\":" + parameters + "}";
    }

    record Case(String what, int status, String path, byte[] body, Map<String, String> headers, String mentions) {
        static Case json(String what, int status, String path, String body, String mentions) {
            return new Case(
                    what,
                    status,
                    path,
                    body.getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/json"),
                    mentions);
        }
    }

    @Test
    void everyClientMistakeIsA4xxWithAClearError() throws Exception {
        String ok = fp32("[1,3,64,64]", "FP32", 3 * 64 * 64, "{\"task\":\"normals\"}");
        byte[] png = ImageFiles.rgbPng(8, 8, new byte[8 * 8 * 3]);
        String truncated = Base64.getEncoder().encodeToString(Arrays.copyOf(png, png.length / 2));
        String garbage = Base64.getEncoder().encodeToString("definitely not an image".getBytes());
        InferBody binary = InferBody.fp32(new long[] {1, 3, 64, 64}, randomImage(1), List.of("sal"), false, true);
        List<Case> cases = new ArrayList<>(List.of(
                Case.json("malformed JSON", 400, INFER, "{nope", "malformed JSON"),
                Case.json("truncated JSON", 400, INFER, ok.substring(0, ok.length() / 2), "malformed JSON"),
                Case.json("not an object", 400, INFER, "[1, 2]", "expected a JSON object"),
                Case.json("no inputs", 400, INFER, "{\"parameters\":{}}", "inputs"),
                Case.json(
                        "wrong shape",
                        400,
                        INFER,
                        fp32("[1,3,32,32]", "FP32", 3 * 32 * 32, "{}"),
                        "expected [B, 3, 64, 64]"),
                Case.json(
                        "wrong datatype",
                        400,
                        INFER,
                        fp32("[1,3,64,64]", "INT8", 3 * 64 * 64, "{}"),
                        "'input' is FP32, got 'INT8'"),
                Case.json(
                        "too few values",
                        400,
                        INFER,
                        fp32("[1,3,64,64]", "FP32", 100, "{}"),
                        "needs 12288 values," + " got 100"),
                Case.json(
                        "more values than the limit",
                        400,
                        INFER,
                        fp32("[1,3,64,64]", "FP32", 4 * 12288 + 1, "{}"),
                        "more than 49152 values"),
                Case.json(
                        "batch over the request limit",
                        400,
                        INFER,
                        fp32("[5,3,64,64]", "FP32", 12288, "{}"),
                        "1 to 4 images per request"),
                Case.json(
                        "unknown input",
                        400,
                        INFER,
                        ok.replace("\"name\":\"input\"", "\"name\":\"pixels\""),
                        "'pixels' is not an input"),
                Case.json(
                        "two inputs",
                        400,
                        INFER,
                        ok.replace(
                                "}],",
                                "},{\"name\":\"image\",\"shape\":[1]," + "\"datatype\":\"BYTES\",\"data\":[\"\"]}],"),
                        "exactly one input"),
                Case.json("unknown task", 404, INFER, ok.replace("normals", "bogus"), "has no task 'bogus'"),
                Case.json("a task the model lacks", 404, INFER, ok.replace("normals", "depth"), "has no task 'depth'"),
                Case.json("unknown model", 404, "/v2/models/nope/infer", ok, "no model named 'nope'"),
                Case.json("unknown {model}-{task}", 404, "/v2/models/tiny-depth/infer", ok, "has no task 'depth'"),
                Case.json("contradicting task choices", 400, "/v2/models/tiny-semseg/infer", ok, "selects semseg"),
                Case.json(
                        "unknown output format",
                        400,
                        INFER,
                        fp32("[1,3,64,64]", "FP32", 12288, "{\"output\":\"jpeg\"}"),
                        "parameters.output"),
                Case.json("undecodable image", 400, INFER, image(garbage, "{}"), "not a JPEG or PNG"),
                Case.json("truncated image", 400, INFER, image(truncated, "{}"), "truncated or corrupt"),
                Case.json("not base64", 400, INFER, image("%%%", "{}"), "not base64"),
                Case.json(
                        "FP32 data for the image",
                        400,
                        INFER,
                        "{\"inputs\":[{\"name\":\"image\",\"shape\":[1]," + "\"datatype\":\"BYTES\",\"data\":[1.0]}]}",
                        "must be strings"),
                new Case(
                        "binary data without its header",
                        400,
                        INFER,
                        binary.bytes(),
                        Map.of("Content-Type", "application/octet-stream"),
                        "unexpected content after the JSON"),
                new Case(
                        "binary header past the body",
                        400,
                        INFER,
                        binary.bytes(),
                        Map.of("Inference-Header-Content-Length", Integer.toString(binary.bytes().length + 1)),
                        "Inference-Header-Content-Length"),
                new Case(
                        "binary data of the wrong size",
                        400,
                        INFER,
                        Arrays.copyOf(binary.bytes(), binary.bytes().length - 4),
                        binary.headers(),
                        "binary_data_size"),
                new Case(
                        "binary data with bytes to spare",
                        400,
                        INFER,
                        Arrays.copyOf(binary.bytes(), binary.bytes().length + 8),
                        binary.headers(),
                        "belong to no input"),
                Case.json(
                        "oversized body",
                        413,
                        INFER,
                        fp32("[1,3,64,64]", "FP32", (int) BODY_LIMIT / 3, "{}"),
                        "at most " + BODY_LIMIT + " bytes")));
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            HttpResponse<byte[]> r;
            try {
                r = post(base, c.path(), c.body(), c.headers());
            } catch (java.io.IOException e) {
                failures.add(c.what() + ": no response: " + e);
                continue;
            }
            String problem = check(r, c.status(), c.mentions());
            if (problem != null) {
                failures.add(c.what() + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(200, post(base, INFER, ok.getBytes(), Map.of()).statusCode(), "still serving after all that");
    }

    /**
     * A request refused before its body is read (here: the model does not exist) still gets its answer,
     * however much of the body the client is still sending, and the next request is served.
     */
    @Test
    void aRequestRefusedBeforeItsBodyIsReadStillGetsItsAnswer() throws Exception {
        byte[] body = new byte[(int) BODY_LIMIT - 1024];
        Arrays.fill(body, (byte) ' ');
        for (int i = 0; i < 10; i++) {
            HttpResponse<byte[]> r =
                    post(base, "/v2/models/nope/infer", body, Map.of("Content-Type", "application/json"));
            assertEquals(null, check(r, 404, "no model named 'nope'"), "attempt " + i);
        }
        HttpResponse<byte[]> noRoute = post(base, "/v2/nowhere", body, Map.of());
        assertEquals(null, check(noRoute, 404, "no such endpoint"));
        assertEquals(null, check(ServeTestSupport.get(base, "/v2/models/nope"), 404, "no model named 'nope'"));
    }

    /** A chunked body (no Content-Length) is cut off at the limit too. */
    @Test
    void anOversizedChunkedBodyIs413() throws Exception {
        byte[] big = new byte[(int) BODY_LIMIT + 4096];
        Arrays.fill(big, (byte) ' ');
        HttpRequest req = HttpRequest.newBuilder(base.resolve(INFER))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();
        HttpResponse<byte[]> r = HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(null, check(r, 413, "more than " + BODY_LIMIT + " bytes"));
    }

    @Test
    void unknownEndpointsAndMethodsAreJsonErrors() throws Exception {
        HttpResponse<byte[]> missing = ServeTestSupport.get(base, "/v2/nothing/here");
        assertEquals(null, check(missing, 404, "no such endpoint"));
        HttpResponse<byte[]> wrongMethod = HTTP.send(
                HttpRequest.newBuilder(base.resolve("/v2/health/live")).DELETE().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(null, check(wrongMethod, 405, "not allowed"));
        assertEquals(null, check(ServeTestSupport.get(base, "/v2/models/nope"), 404, "no model named 'nope'"));
        assertEquals(null, check(ServeTestSupport.get(base, "/v2/models/nope/ready"), 404, "no model named"));
    }

    /** Null if the answer is {@code status} with an {"error"} that mentions {@code text}, else what is wrong. */
    static String check(HttpResponse<byte[]> r, int status, String text) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        if (r.statusCode() != status) {
            return "status " + r.statusCode() + " (want " + status + "): " + body;
        }
        try {
            JsonNode j = ServeTestSupport.JSON.readTree(body);
            if (!j.has("error") || !j.get("error").isTextual()) {
                return "no {\"error\": ...} in " + body;
            }
            if (!j.get("error").asText().contains(text)) {
                return "the error does not mention '" + text + "': "
                        + j.get("error").asText();
            }
        } catch (Exception e) {
            return "not JSON: " + body;
        }
        return null;
    }
}
