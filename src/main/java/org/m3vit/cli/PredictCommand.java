package org.m3vit.cli;

import org.m3vit.data.Augmentation;
import org.m3vit.data.Resampling;
import org.m3vit.io.ImageFiles;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.m3vit.config.ModelConfig;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;
import org.m3vit.io.Tensor;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.Interpolation;
import org.m3vit.task.Task;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit predict}: one task's pathway on an image (→ PNG) or a normalised batch (.npy → .npy). */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Run one task's pathway (that task's routers and head) in eval mode. With --image, writes a"
                + " viewable PNG; with --input X.npy ((N,3,H,W) float32, already normalised), writes the head's raw"
                + " output (N,C,H,W) float32.")
final class PredictCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--weights", required = true, paramLabel = "W.safetensors",
            description = "Model weights with the reference state-dict names.")
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

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        ModelConfig config = model.load();
        Task t = Task.parse(task);
        config.tasks().idOf(t);
        String outName = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (input.npy != null && !outName.endsWith(".npy")) {
            throw new IllegalArgumentException("--out " + out + ": with --input the output must be a .npy file");
        }
        if (input.image != null && !outName.endsWith(".png")) {
            throw new IllegalArgumentException("--out " + out + ": with --image the output must be a .png file");
        }
        // Read the input before building the model so bad input fails fast.
        Tensor x = input.npy != null ? asTensor(NpyFiles.read(input.npy)) : null;
        ImageFiles.Pixels image = input.image != null ? ImageFiles.readRgb(input.image) : null;
        int h = config.imgHeight();
        int w = config.imgWidth();
        if (x != null) {
            long[] s = x.shape();
            if (s.length != 4 || s[1] != config.inChans() || s[2] != h || s[3] != w) {
                throw new IllegalArgumentException("--input " + input.npy + ": expected shape (N, " + config.inChans()
                        + ", " + h + ", " + w + ") (the config's img_size), got " + org.m3vit.io.TensorInfo.shapeString(s));
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskModel m = new MultiTaskModel(config).initialize(manager);
            ModelWeights.load(m, weights);
            ParameterStore ps = new ParameterStore(manager, false);
            int channels = config.tasks().channels(t);
            if (x != null) {
                int n = (int) x.shape()[0];
                int inPer = config.inChans() * h * w;
                int outPer = channels * h * w;
                float[] result = new float[n * outPer];
                for (int i = 0; i < n; i++) {
                    float[] one = new float[inPer];
                    System.arraycopy(x.floats(), i * inPer, one, 0, inPer);
                    float[] y = runOne(m, ps, manager, one, t);
                    System.arraycopy(y, 0, result, i * outPer, outPer);
                }
                NpyFiles.writeFloat32(out, new int[] {n, channels, h, w}, result);
            } else {
                // the validation transform of the data pipeline: cubic resize (cv2 semantics) + normalise
                float[] resized = Resampling.resize(image.data, image.height, image.width, 3, h, w, Interpolation.CUBIC);
                float[] y = runOne(m, ps, manager, Augmentation.toNormalizedChw(resized, h, w), t);
                BufferedImage vis = t.spec().render(new HeadOutput(y, channels, h, w));
                boolean nearest = t.spec().isClassMap(); // class colours must not blend
                ImageFiles.writePng(out, ImageFiles.resizeForDisplay(vis, image.width, image.height, nearest));
            }
        }
        return 0;
    }

    /** One image (C,H,W) through the task pathway; intermediates are freed with the sub-manager. */
    private static float[] runOne(MultiTaskModel m, ParameterStore ps, NDManager manager, float[] chw, Task t) {
        ModelConfig c = m.config();
        try (NDManager sub = manager.newSubManager()) {
            NDArray img = sub.create(chw, new Shape(1, c.inChans(), c.imgHeight(), c.imgWidth()));
            return m.forward(ps, img, t, false).prediction().toFloatArray();
        }
    }

    private static Tensor asTensor(NpyArray a) {
        int[] shape = a.shape();
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return Tensor.of(dims, a.data());
    }
}
