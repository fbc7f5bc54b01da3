package org.m3vit.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.infer.TaskPrediction;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;
import org.m3vit.io.OutputPaths;
import org.m3vit.io.Tensor;
import org.m3vit.io.TensorInfo;
import org.m3vit.runtime.TraceRecorder;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.Task;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit predict}: one task's pathway on an image (→ PNG) or a normalised batch (.npy → .npy). */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = "Run one task's pathway (that task's routers and head) in eval mode. With --image, writes a"
                + " viewable PNG; with --input X.npy ((N,3,H,W) float32, already normalised), writes the head's raw"
                + " output (N,C,H,W) float32. An m3vit weights file (also a packed one) carries its config; a"
                + " reference-format one needs --config. --expert-buffers / --memory-budget stream the experts.")
final class PredictCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "W.safetensors",
            description = "Model weights: an m3vit artifact, or reference state-dict names with --config.")
    Path weights;

    @Option(names = "--task", required = true, description = "semseg, human_parts, sal, normals, edge or depth.")
    String task;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--image", paramLabel = "in.png|jpg", description = "An RGB image; resized to img_size.")
        Path image;

        @Option(names = "--input", paramLabel = "X.npy", description = "(N,3,H,W) float32, already normalised.")
        Path npy;
    }

    @Option(names = "--out", required = true, paramLabel = "out.png|Y.npy", description = "Output file.")
    Path out;

    @Mixin
    ThreadsOption threadsOption;

    @Mixin
    ExpertOptions experts;

    @Option(
            names = "--trace",
            paramLabel = "TRACE.json",
            description = "Also write the expert trace: per image, each MoE block's queue lengths and (with streamed"
                    + " experts) the expert bytes loaded; m3vit simulate --trace reads it.")
    Path trace;

    @Override
    public Integer call() throws Exception {
        int threads = threadsOption.apply();
        Task t = Task.parse(task);
        String outName = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (input.npy != null && !outName.endsWith(".npy")) {
            throw new IllegalArgumentException("--out " + out + ": with --input the output must be a .npy file");
        }
        if (input.image != null && !outName.endsWith(".png")) {
            throw new IllegalArgumentException("--out " + out + ": with --image the output must be a .png file");
        }
        OutputPaths.requireNotInput(
                out,
                "--out",
                inputs("--weights", weights, "--image", input.image, "--input", input.npy, "--config", model.config));
        ModelConfig given = model.loadIfGiven();
        // Read the input before building the model so bad input fails fast.
        NpyArray x = input.npy != null ? NpyFiles.read(input.npy).requireFinite(input.npy.toString()) : null;
        ImageFiles.Pixels image = input.image != null ? ImageFiles.readRgb(input.image) : null;
        try (Predictor predictor = experts.apply(
                        Predictor.builder().weights(weights).config(given).threads(threads))
                .build()) {
            ModelConfig config = predictor.config();
            TraceRecorder recorder = trace == null ? null : new TraceRecorder(config);
            config.tasks().idOf(t);
            int channels = config.tasks().channels(t);
            int h = config.imgHeight();
            int w = config.imgWidth();
            if (x != null) {
                int[] s = x.shape();
                if (s.length != 4 || s[1] != config.inChans() || s[2] != h || s[3] != w) {
                    throw new IllegalArgumentException("--input " + input.npy + ": expected shape (N, "
                            + config.inChans() + ", " + h + ", " + w + ") (the model's img_size), got "
                            + TensorInfo.shapeString(toLongs(s)));
                }
                int n = s[0];
                int per = config.inChans() * h * w;
                List<Tensor> outs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    float[] one = new float[per];
                    System.arraycopy(x.data(), i * per, one, 0, per);
                    TaskPrediction p =
                            predictor.predictDetailed(List.of(ModelInput.normalised(one, config.inChans(), h, w)), t);
                    outs.add(p.output());
                    if (recorder != null) {
                        recorder.add(input.npy.getFileName() + "[" + i + "]", t, p.expertCounts(), p.layers());
                    }
                }
                float[] result = new float[n * channels * h * w];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(outs.get(i).floats(), 0, result, i * channels * h * w, channels * h * w);
                }
                NpyFiles.writeFloat32(out, new int[] {n, channels, h, w}, result);
            } else {
                TaskPrediction p =
                        predictor.predictDetailed(List.of(ModelInput.image(image.data, image.height, image.width)), t);
                if (recorder != null) {
                    recorder.add(input.image.getFileName().toString(), t, p.expertCounts(), p.layers());
                }
                float[] y = p.output().floats();
                BufferedImage vis = t.spec().render(new HeadOutput(y, channels, h, w));
                boolean nearest = t.spec().isClassMap(); // class colours must not blend
                ImageFiles.writePng(out, ImageFiles.resizeForDisplay(vis, image.width, image.height, nearest));
            }
            if (recorder != null) {
                recorder.trace().write(trace);
            }
            if (experts.streamed()) {
                RuntimeText.print(predictor.runtimeReport(), System.err);
            }
        }
        return 0;
    }

    /** Role → path pairs for {@link OutputPaths#requireNotInput} (nulls kept out). */
    static Map<String, Path> inputs(Object... rolesAndPaths) {
        Map<String, Path> m = new LinkedHashMap<>();
        for (int i = 0; i < rolesAndPaths.length; i += 2) {
            if (rolesAndPaths[i + 1] != null) {
                m.put((String) rolesAndPaths[i], (Path) rolesAndPaths[i + 1]);
            }
        }
        return m;
    }

    private static long[] toLongs(int[] s) {
        long[] out = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i];
        }
        return out;
    }
}
