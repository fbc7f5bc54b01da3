package org.m3vit.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Preprocessing;
import org.m3vit.io.ImageFiles;

/**
 * Turns a request's input tensor into model inputs, checking it against the model: either {@code input},
 * FP32 [B, C, H, W] at the model's input size and already normalised, or {@code image}, BYTES [B] whose
 * elements are encoded JPEG/PNG files (base64 strings in JSON, raw bytes with the binary extension),
 * decoded and preprocessed as the model's artifact says. Runs on the request's thread, so decoding and
 * resizing happen in parallel rather than in the batch.
 */
final class RequestInputs {

    static final String TENSOR = "input";
    static final String IMAGE = "image";

    private RequestInputs() {}

    static List<ModelInput> of(InferRequest r, ModelConfig config, Preprocessing pre, ServerSettings settings) {
        if (r.inputs().size() != 1) {
            throw InvalidInputException.field(
                    "inputs",
                    "give exactly one input, '" + TENSOR + "' (FP32 [B,"
                            + config.inChans() + "," + config.imgHeight() + "," + config.imgWidth() + "]) or '" + IMAGE
                            + "' (BYTES [B], encoded JPEG/PNG); got "
                            + r.inputs().size());
        }
        InputTensor in = r.inputs().get(0);
        return switch (in.name()) {
            case TENSOR -> tensor(in, config, settings.maxRequestImages());
            case IMAGE -> {
                if (config.inChans() != 3) {
                    throw InvalidInputException.field(
                            in.field() + ".name",
                            "this model takes " + config.inChans() + "-channel tensors, not RGB images; send '" + TENSOR
                                    + "'");
                }
                yield images(in, pre, settings);
            }
            default -> throw InvalidInputException.field(
                    in.field() + ".name",
                    "'" + in.name() + "' is not an input of" + " this model; its inputs are '" + TENSOR
                            + "' (FP32) and '" + IMAGE + "' (BYTES)");
        };
    }

    private static List<ModelInput> tensor(InputTensor in, ModelConfig c, int maxImages) {
        if (!"FP32".equals(in.datatype())) {
            throw InvalidInputException.field(
                    in.field() + ".datatype", "'" + TENSOR + "' is FP32, got '" + in.datatype() + "'");
        }
        long[] s = in.shape();
        if (s.length != 4 || s[1] != c.inChans() || s[2] != c.imgHeight() || s[3] != c.imgWidth()) {
            throw InvalidInputException.field(
                    in.field() + ".shape",
                    "expected [B, " + c.inChans() + ", " + c.imgHeight() + ", " + c.imgWidth()
                            + "] (the model's input size), got " + Arrays.toString(s));
        }
        batchSize(in, s[0], maxImages);
        if (in.floats() == null) {
            throw InvalidInputException.field(in.field() + ".data", "FP32 data must be numbers");
        }
        if (in.floats().length != in.declaredElements()) {
            throw InvalidInputException.field(
                    in.field() + ".data",
                    "shape " + Arrays.toString(s) + " needs " + in.declaredElements() + " values, got "
                            + in.floats().length);
        }
        int per = c.inChans() * c.imgHeight() * c.imgWidth();
        List<ModelInput> out = new ArrayList<>();
        for (int b = 0; b < s[0]; b++) {
            out.add(ModelInput.normalised(
                    Arrays.copyOfRange(in.floats(), b * per, (b + 1) * per), c.inChans(), c.imgHeight(), c.imgWidth()));
        }
        return out;
    }

    private static List<ModelInput> images(InputTensor in, Preprocessing pre, ServerSettings settings) {
        if (!"BYTES".equals(in.datatype())) {
            throw InvalidInputException.field(
                    in.field() + ".datatype",
                    "'" + IMAGE + "' is BYTES (encoded" + " JPEG/PNG files), got '" + in.datatype() + "'");
        }
        long[] s = in.shape();
        if (s.length != 1) {
            throw InvalidInputException.field(
                    in.field() + ".shape", "expected [B] (one encoded file per image), got " + Arrays.toString(s));
        }
        batchSize(in, s[0], settings.maxRequestImages());
        if (in.floats() != null) {
            throw InvalidInputException.field(
                    in.field() + ".data", "BYTES data must be strings (base64 of each" + " file) or binary");
        }
        if (in.dataElements() != s[0]) {
            throw InvalidInputException.field(
                    in.field() + ".data",
                    "shape " + Arrays.toString(s) + " needs " + s[0] + " encoded images, got " + in.dataElements());
        }
        List<ModelInput> out = new ArrayList<>();
        for (int b = 0; b < s[0]; b++) {
            String name = IMAGE + "[" + b + "]";
            byte[] file =
                    in.bytes() != null ? in.bytes().get(b) : base64(in.strings().get(b), name);
            ImageFiles.Pixels px;
            try {
                px = ImageFiles.decodeRgb(file, name, settings.maxImagePixels());
            } catch (IllegalArgumentException e) {
                String m = String.valueOf(e.getMessage());
                throw InvalidInputException.field(name, m.startsWith(name + ": ") ? m.substring(name.length() + 2) : m);
            }
            float[] chw = pre.apply(px.data, px.height, px.width);
            out.add(ModelInput.normalised(chw, 3, pre.height(), pre.width()));
        }
        return out;
    }

    private static byte[] base64(String s, String name) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.field(
                    name,
                    "is not base64 (in JSON, a BYTES element is the base64 of the" + " encoded file): "
                            + e.getMessage());
        }
    }

    private static void batchSize(InputTensor in, long b, int max) {
        if (b < 1 || b > max) {
            throw InvalidInputException.field(
                    in.field() + ".shape",
                    "the batch dimension is " + b + "; 1 to " + max + " images per request are accepted");
        }
    }
}
