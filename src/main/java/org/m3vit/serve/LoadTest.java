package org.m3vit.serve;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A closed-loop load generator: each client sends a request, waits for the answer, and sends the next,
 * until the duration is over. Requests in flight at the end are waited for (up to a minute) and counted.
 */
public final class LoadTest {

    /** A request without an answer after this long counts as no answer (status 0). */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private LoadTest() {}

    public static LoadTestReport run(LoadTestSettings s) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest.Builder rb = HttpRequest.newBuilder(s.inferUri())
                .timeout(REQUEST_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(s.body().bytes()));
        s.body().headers().forEach(rb::header);
        HttpRequest request = rb.build();
        long start = System.nanoTime();
        long end = start + s.duration().toNanos();
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < s.clients(); i++) {
            Client c = new Client(http, request, end);
            c.thread = new Thread(c, "m3vit-loadtest-" + i);
            c.thread.setDaemon(true);
            clients.add(c);
            c.thread.start();
        }
        for (Client c : clients) {
            c.thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<Integer, Long> byStatus = new HashMap<>();
        long total = 0;
        int okCount = 0;
        for (Client c : clients) {
            c.byStatus.forEach((k, v) -> byStatus.merge(k, v, Long::sum));
            total += c.requests;
            okCount += c.okCount;
        }
        long[] ok = new long[okCount];
        int at = 0;
        for (Client c : clients) {
            System.arraycopy(c.okNanos, 0, ok, at, c.okCount);
            at += c.okCount;
        }
        Arrays.sort(ok);
        return new LoadTestReport(total, seconds, byStatus, ok, s.imagesPerRequest());
    }

    private static final class Client implements Runnable {
        final HttpClient http;
        final HttpRequest request;
        final long end;
        final Map<Integer, Long> byStatus = new HashMap<>();
        long[] okNanos = new long[1024];
        int okCount;
        long requests;
        Thread thread;

        Client(HttpClient http, HttpRequest request, long end) {
            this.http = http;
            this.request = request;
            this.end = end;
        }

        @Override
        public void run() {
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                int status;
                try {
                    HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    status = r.statusCode();
                } catch (IOException e) {
                    status = 0;
                } catch (InterruptedException e) {
                    return;
                }
                long dt = System.nanoTime() - t0;
                requests++;
                byStatus.merge(status, 1L, Long::sum);
                if (status == 200) {
                    if (okCount == okNanos.length) {
                        okNanos = Arrays.copyOf(okNanos, 2 * okCount);
                    }
                    okNanos[okCount++] = dt;
                } else if (status == 0 || status == 503) {
                    pause(); // a refusing server is not helped by an immediate retry
                }
            }
        }

        private static void pause() {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
