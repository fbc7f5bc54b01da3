package org.m3vit.spark;

import java.util.Locale;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.errors.Limits;
import org.m3vit.infer.ModelInput;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;

/**
 * One input file of {@code spark predict}: a PNG or JPEG image (preprocessed by the predictor, as
 * {@code m3vit predict --image} does) or a {@code .npy} holding one normalised image, (3, H, W) or
 * (1, 3, H, W) at the model's input size (as one row of {@code m3vit predict --input}).
 *
 * @param name the file name without its extension: the output's name
 * @param originalHeight the image's own size, to which a PNG output is resized back (the model's size for
 *     a .npy input)
 */
record InputFile(String name, ModelInput input, boolean image, int originalHeight, int originalWidth) {

    /** The extensions read; anything else in an input directory is left out. */
    static final String GLOB = "*.{npy,png,jpg,jpeg,NPY,PNG,JPG,JPEG}";

    /** The output name of an input path: its last component without the extension. */
    static String outputName(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    static boolean isNpy(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".npy");
    }

    /** Decodes {@code bytes} read from {@code path}; errors name the path. */
    static InputFile decode(String path, byte[] bytes, ModelConfig config) {
        String name = outputName(path);
        int h = config.imgHeight();
        int w = config.imgWidth();
        if (!isNpy(path)) {
            ImageFiles.Pixels px = ImageFiles.decodeRgb(bytes, path, Limits.MAX_IMAGE_PIXELS);
            return new InputFile(name, ModelInput.image(px.data, px.height, px.width), true, px.height, px.width);
        }
        NpyArray a = NpyFiles.parse(path, bytes).requireFinite(path);
        int[] s = a.shape();
        boolean chw = s.length == 3;
        boolean nchw = s.length == 4 && s[0] == 1;
        int c = config.inChans();
        if (!(chw || nchw) || s[s.length - 3] != c || s[s.length - 2] != h || s[s.length - 1] != w) {
            throw InvalidInputException.file(
                    path,
                    "expected one normalised image of shape (" + c + ", " + h + ", " + w + ") or (1, " + c + ", " + h
                            + ", " + w + ") (the model's input size), got " + shape(s));
        }
        return new InputFile(name, ModelInput.normalised(a.data(), c, h, w), false, h, w);
    }

    private static String shape(int[] s) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < s.length; i++) {
            b.append(i > 0 ? ", " : "").append(s[i]);
        }
        return b.append(s.length == 1 ? ",)" : ")").toString();
    }
}
