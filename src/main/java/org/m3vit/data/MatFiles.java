package org.m3vit.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.m3vit.errors.Limits;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Sources;
import us.hebi.matlab.mat.types.Struct;

/**
 * Reads the PASCAL_MT MAT v5 files with MFL: the PASCAL-Context {@code LabelMap} and the PASCAL-Part
 * {@code anno} struct. Struct fields are addressed by position, exactly as the reference's
 * {@code scipy.io.loadmat(...)['anno'][0][0][1][0]} indexing does, so files whose fields carry other
 * names but the same layout are read the same way.
 */
public final class MatFiles {

    private MatFiles() {}

    static Mat5File open(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": file not found");
        }
        try {
            return Mat5.newReader(Sources.wrap(bytes)).readMat();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a readable MAT v5 file (" + e.getMessage() + ")");
        }
    }

    static <T extends Array> T variable(MatFile mat, Path file, String name, Class<T> type) {
        for (MatFile.Entry e : mat.getEntries()) {
            if (e.getName().equals(name)) {
                Array v = e.getValue();
                if (!type.isInstance(v)) {
                    throw new IllegalArgumentException(file + ": variable '" + name + "' is a " + v.getType()
                            + ", expected a " + type.getSimpleName().toLowerCase(Locale.ROOT));
                }
                return type.cast(v);
            }
        }
        throw new IllegalArgumentException(file + ": no variable '" + name + "'");
    }

    /** Reads a 2-D numeric variable as a row-major (H, W) double array; {@code hw} receives {H, W}. */
    static double[] matrix2d(Matrix m, Path file, String what, int[] hw) {
        int[] dims = m.getDimensions();
        if (dims.length != 2) {
            throw new IllegalArgumentException(file + ": " + what + " must be 2-D, got " + dims.length + " dimensions");
        }
        int h = dims[0];
        int w = dims[1];
        Limits.checkTensorElements(file, what, Limits.product(h, w));
        double[] out = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = m.getDouble(y, x);
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(
                            file + ": " + what + " holds a NaN or infinite value at (" + y + ", " + x + ")");
                }
                out[y * w + x] = v;
            }
        }
        hw[0] = h;
        hw[1] = w;
        return out;
    }

    /** Reads {@code LabelMap} of a PASCAL-Context .mat file, checked against the image size. */
    public static double[] readLabelMap(Path file, int height, int width) throws IOException {
        try (Mat5File mat = open(file)) {
            Matrix m = variable(mat, file, "LabelMap", Matrix.class);
            int[] hw = new int[2];
            double[] labels = matrix2d(m, file, "LabelMap", hw);
            requireSize(file, "LabelMap", hw, height, width);
            return labels;
        }
    }

    /**
     * Reads the human-part target of a PASCAL-Part {@code anno} file as the reference does: for every
     * object of class 15 (person) that has parts, each part mask is painted with its 6-group index; all
     * other pixels stay 0. An image without such a person gives an all-zero map.
     */
    public static float[] readHumanParts(Path file, int height, int width) throws IOException {
        float[] target = new float[height * width];
        try (Mat5File mat = open(file)) {
            Struct anno = variable(mat, file, "anno", Struct.class);
            List<String> annoFields = anno.getFieldNames();
            if (annoFields.size() < 2) {
                throw new IllegalArgumentException(
                        file + ": 'anno' must have at least 2 fields (imname, objects), got " + annoFields);
            }
            Array objectsArray = anno.get(annoFields.get(1), 0);
            if (objectsArray.getNumElements() == 0) {
                return target;
            }
            if (!(objectsArray instanceof Struct)) {
                throw new IllegalArgumentException(file + ": anno." + annoFields.get(1)
                        + " must be a struct array, got " + objectsArray.getType());
            }
            Struct objects = (Struct) objectsArray;
            List<String> objFields = objects.getFieldNames();
            if (objFields.size() < 4) {
                throw new IllegalArgumentException(
                        file + ": each object must have 4 fields (class, class_ind, mask, parts), got " + objFields);
            }
            for (int o = 0; o < objects.getNumElements(); o++) {
                Array cls = objects.get(objFields.get(1), o);
                if (!(cls instanceof Matrix) || cls.getNumElements() < 1) {
                    throw new IllegalArgumentException(file + ": object " + o + " has no numeric class index");
                }
                int classIndex = (int) Math.round(((Matrix) cls).getDouble(0));
                Array parts = objects.get(objFields.get(3), o);
                if (classIndex != HumanParts.PERSON_CLASS || parts.getNumElements() == 0) {
                    continue;
                }
                if (!(parts instanceof Struct)) {
                    throw new IllegalArgumentException(
                            file + ": parts of object " + o + " must be a struct array, got " + parts.getType());
                }
                paintParts(file, o, (Struct) parts, target, height, width);
            }
        }
        return target;
    }

    private static void paintParts(Path file, int object, Struct parts, float[] target, int height, int width) {
        List<String> fields = parts.getFieldNames();
        if (fields.size() < 2) {
            throw new IllegalArgumentException(
                    file + ": parts of object " + object + " must have fields (part_name, mask), got " + fields);
        }
        for (int p = 0; p < parts.getNumElements(); p++) {
            Array nameArray = parts.get(fields.get(0), p);
            if (!(nameArray instanceof Char)) {
                throw new IllegalArgumentException(
                        file + ": part " + p + " of object " + object + " has no name string");
            }
            String name = ((Char) nameArray).getString().trim();
            int group = HumanParts.group(name);
            if (group < 0) {
                throw new IllegalArgumentException(
                        file + ": unknown person part name '" + name + "' (object " + object + ")");
            }
            Array maskArray = parts.get(fields.get(1), p);
            if (!(maskArray instanceof Matrix)) {
                throw new IllegalArgumentException(file + ": mask of part '" + name + "' is not a numeric matrix");
            }
            int[] hw = new int[2];
            double[] mask = matrix2d((Matrix) maskArray, file, "mask of part '" + name + "'", hw);
            requireSize(file, "mask of part '" + name + "'", hw, height, width);
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] != 0) {
                    target[i] = group;
                }
            }
        }
    }

    static void requireSize(Path file, String what, int[] hw, int height, int width) {
        if (hw[0] != height || hw[1] != width) {
            throw new IllegalArgumentException(
                    file + ": " + what + " is " + hw[0] + "x" + hw[1] + " but the image is " + height + "x" + width);
        }
    }
}
