package org.m3vit.serve;

import java.net.URI;
import java.time.Duration;
import org.m3vit.errors.InvalidInputException;

/**
 * A load test: {@code clients} concurrent clients each send {@code body} to
 * {@code POST {url}/v2/models/{model}/infer} again and again for {@code duration}. Loopback only, and
 * bounded in clients and time, so it stops by itself.
 *
 * @param imagesPerRequest the batch dimension of {@code body}, for images/s
 */
public record LoadTestSettings(
        URI url, String model, int clients, Duration duration, InferBody body, int imagesPerRequest) {

    public static final int MAX_CLIENTS = 256;
    public static final Duration MAX_DURATION = Duration.ofHours(1);

    public LoadTestSettings {
        LoopbackAddress.require(url);
        if (model == null || model.isBlank()) {
            throw InvalidInputException.field("model", "is empty");
        }
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw InvalidInputException.field("clients", "must be between 1 and " + MAX_CLIENTS + ", got " + clients);
        }
        if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(MAX_DURATION) > 0) {
            throw InvalidInputException.field("duration", "must be between 1 s and 1 h, got " + duration);
        }
        if (imagesPerRequest < 1) {
            throw InvalidInputException.field("imagesPerRequest", "must be positive");
        }
    }

    URI inferUri() {
        String base = url.toString().replaceAll("/+$", "");
        return URI.create(base + "/v2/models/" + model + "/infer");
    }
}
