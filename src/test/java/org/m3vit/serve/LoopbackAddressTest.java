package org.m3vit.serve;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.m3vit.errors.InvalidInputException;

/** The load test only ever targets this machine. */
class LoopbackAddressTest {

    @Test
    void loopbackHostsPass() {
        for (String u : new String[] {
            "http://127.0.0.1:8000",
            "http://127.5.6.7:1/",
            "http://localhost:80",
            "http://LOCALHOST:80",
            "http://[::1]:8000"
        }) {
            assertDoesNotThrow(() -> LoopbackAddress.require(URI.create(u)), u);
        }
    }

    @Test
    void everythingElseIsRefusedByName() {
        for (String u : new String[] {
            "http://10.0.0.1:8000",
            "http://192.168.1.10:80",
            "http://172.16.0.1:80",
            "http://8.8.8.8:80",
            "http://example.com:80",
            "http://127.0.0.1.example.com:80",
            "http://localhost.example.com:80",
            "http://128.0.0.1:80",
            "http://127.0.0.256:80",
            "http://[::2]:80",
            "https://127.0.0.1:443",
            "http://0.0.0.0:80"
        }) {
            InvalidInputException e =
                    assertThrows(InvalidInputException.class, () -> LoopbackAddress.require(URI.create(u)), u);
            assertTrue(e.getMessage().startsWith("url: "), e.getMessage());
        }
    }

    @Test
    void clientsAndDurationAreBounded() {
        InferBody body = InferBody.fp32(new long[] {1}, new float[1], java.util.List.of(), false, false);
        URI ok = URI.create("http://127.0.0.1:1");
        assertThrows(
                InvalidInputException.class,
                () -> new LoadTestSettings(ok, "m", 257, java.time.Duration.ofSeconds(5), body, 1));
        assertThrows(
                InvalidInputException.class,
                () -> new LoadTestSettings(ok, "m", 4, java.time.Duration.ofHours(2), body, 1));
        assertThrows(
                InvalidInputException.class,
                () -> new LoadTestSettings(
                        URI.create("http://10.1.1.1:1"), "m", 4, java.time.Duration.ofSeconds(5), body, 1));
    }
}
