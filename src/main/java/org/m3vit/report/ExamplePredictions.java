package org.m3vit.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.Augmentation;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.data.Sample;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;
import org.m3vit.task.dense.ResizeBack;

/**
 * Runs a model on the first images of a split and keeps, per image, the input, the raw ground truth and
 * each task's head output resized (bilinearly, per channel) to the image's original size, for the
 * report's example grid.
 */
public final class ExamplePredictions {

    private ExamplePredictions() {}

    public static List<ExamplePrediction> collect(Predictor predictor, MultiTaskReader reader, int count)
            throws IOException {
        ModelConfig c = predictor.config();
        int h = c.imgHeight();
        int w = c.imgWidth();
        Augmentation val = Augmentation.val(reader.layout(), h, w);
        List<ExamplePrediction> out = new ArrayList<>();
        for (int i = 0; i < Math.min(count, reader.size()); i++) {
            RawSample raw = reader.read(i);
            Sample sample = val.apply(raw, (Augmentation.Draw) null);
            Map<Task, Tensor> predictions =
                    predictor.predictAll(ModelInput.normalised(sample.image(), 3, sample.height(), sample.width()));
            Map<Task, float[]> outputs = new EnumMap<>(Task.class);
            Map<Task, float[]> gt = new EnumMap<>(Task.class);
            Map<Task, Integer> channels = new EnumMap<>(Task.class);
            for (var e : predictions.entrySet()) {
                Task t = e.getKey();
                int ch = c.tasks().channels(t);
                outputs.put(t, toOriginalSize(e.getValue().floats(), ch, h, w, raw.height(), raw.width()));
                channels.put(t, ch);
                if (raw.targets().containsKey(t)) {
                    gt.put(t, raw.target(t));
                }
            }
            out.add(new ExamplePrediction(raw.id(), raw.height(), raw.width(), raw.image(), gt, outputs, channels));
        }
        return out;
    }

    /** (C, h, w) → (C, H, W), each channel resized on its own. */
    private static float[] toOriginalSize(float[] chw, int c, int h, int w, int outH, int outW) {
        float[] out = new float[c * outH * outW];
        for (int k = 0; k < c; k++) {
            float[] plane = new float[h * w];
            System.arraycopy(chw, k * h * w, plane, 0, h * w);
            float[] r = ResizeBack.bilinear(plane, h, w, 1, outH, outW);
            System.arraycopy(r, 0, out, k * outH * outW, outH * outW);
        }
        return out;
    }
}
