package org.m3vit.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;
import org.m3vit.serve.InferBody;
import org.m3vit.serve.LoadTest;
import org.m3vit.serve.LoadTestReport;
import org.m3vit.serve.LoadTestSettings;
import org.m3vit.serve.LoopbackAddress;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code m3vit loadtest}: closed-loop clients against an m3vit serve on this machine. */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        description = "Load-test an inference server on this machine (loopback addresses only): CLIENTS concurrent"
                + " clients send the same request until DURATION is over; prints throughput, p50/p95/p99 latency"
                + " and the answers by HTTP status.")
final class LoadtestCommand implements Callable<Integer> {

    @Option(
            names = "--url",
            required = true,
            paramLabel = "http://127.0.0.1:PORT",
            description = "The server: 127.0.0.0/8, localhost or [::1] only.")
    String url;

    @Option(names = "--model", required = true, description = "Model name (or {model}-{task}).")
    String model;

    @Option(
            names = "--task",
            split = ",",
            paramLabel = "T[,T...]",
            description = "Tasks (parameters.task);" + " default: all of the model's.")
    List<String> tasks = List.of();

    @Option(
            names = "--clients",
            defaultValue = "64",
            description = "Concurrent clients, 1 to " + LoadTestSettings.MAX_CLIENTS + " (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--duration", defaultValue = "60s", description = "How long, 1s to 1h (default: ${DEFAULT-VALUE}).")
    String duration;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--image", paramLabel = "F.png|jpg", description = "Send this file as the 'image' input.")
        Path image;

        @Option(names = "--input", paramLabel = "X.npy", description = "Send (N,3,H,W) float32 as the 'input' tensor.")
        Path npy;
    }

    @Option(names = "--binary", description = "Use the binary tensor extension for the input and the outputs.")
    boolean binary;

    @Option(names = "--png", description = "Ask for PNG outputs (parameters.output: png).")
    boolean png;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        URI target;
        try {
            target = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url: not a URL: " + url);
        }
        LoopbackAddress.require(target);
        Duration d = Durations.parse("--duration", duration);
        InferBody body;
        int images;
        String what;
        if (input.image != null) {
            byte[] file = read(input.image);
            body = InferBody.images(List.of(file), tasks, png, binary);
            images = 1;
            what = input.image + " (image)";
        } else {
            NpyArray x = NpyFiles.read(input.npy);
            if (x.shape().length != 4) {
                throw new IllegalArgumentException(
                        "--input " + input.npy + ": expected (N, 3, H, W), got shape " + Arrays.toString(x.shape()));
            }
            long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
            body = InferBody.fp32(shape, x.data(), tasks, png, binary);
            images = x.shape()[0];
            what = input.npy + " (FP32 " + Arrays.toString(x.shape()) + ")";
        }
        LoadTestSettings s = new LoadTestSettings(target, model, clients, d, body, images);
        if (!json) {
            System.out.println("m3vit loadtest: " + clients + " clients for " + Durations.format(d) + " against "
                    + url + ", model " + model + ", tasks " + (tasks.isEmpty() ? "all" : String.join(",", tasks))
                    + ", input " + what + ", " + (binary ? "binary" : "JSON") + (png ? ", PNG outputs" : "")
                    + ", " + body.bytes().length + " bytes per request");
        }
        LoadTestReport r = LoadTest.run(s);
        System.out.print(json ? r.json() + System.lineSeparator() : r.format());
        return 0;
    }

    private static byte[] read(Path p) throws java.io.IOException {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--image " + p + ": file not found");
        }
    }
}
