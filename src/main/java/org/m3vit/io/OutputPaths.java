package org.m3vit.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;

/**
 * Checks that an output never replaces an input. Both sides are resolved to real paths first (symbolic
 * links, {@code ..}, relative paths), so {@code out.safetensors} and {@code ./x/../out.safetensors} or a
 * link to it are the same file. The errors name the paths by the role the caller gives them.
 */
public final class OutputPaths {

    private OutputPaths() {}

    /**
     * The real path a file or directory has or would have: the real path of its nearest existing ancestor
     * with the rest appended.
     */
    public static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        Path rest = null;
        while (existing != null && !Files.exists(existing)) {
            Path name = existing.getFileName();
            rest = rest == null ? name : name.resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        Path r = existing.toRealPath();
        return rest == null ? r : r.resolve(rest).normalize();
    }

    /**
     * Requires output file {@code out} (named {@code outName} in errors) to be none of {@code inputs}
     * (role → path; null paths are skipped).
     */
    public static void requireNotInput(Path out, String outName, Map<String, Path> inputs) throws IOException {
        Path o = real(out);
        for (Map.Entry<String, Path> in : inputs.entrySet()) {
            if (in.getValue() != null && o.equals(real(in.getValue()))) {
                throw new InvalidInputException(
                        InvalidInputException.Kind.FILE,
                        out.toString(),
                        outName + " " + out + " is the " + in.getKey() + " " + in.getValue()
                                + "; writing it would replace its own input, choose another output path");
            }
        }
    }

    /**
     * Requires output directory {@code out} to be neither the dataset root {@code root} nor a directory that
     * contains it, so that no output file can land on a dataset file (ground truth, images, split lists).
     */
    public static void requireOutsideDataset(Path out, String outName, Path root) throws IOException {
        if (root == null) {
            return;
        }
        Path o = real(out);
        Path r = real(root);
        if (r.startsWith(o)) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.FILE,
                    out.toString(),
                    outName + " " + out + (o.equals(r) ? " is" : " contains") + " the dataset root " + root
                            + "; its files would overwrite the dataset's, choose a directory outside it");
        }
    }

    /** Whether {@code name} is a plain file name: no separator, not {@code .} or {@code ..}, no control character. */
    public static boolean isPlainName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f || c == ':') {
                return false;
            }
        }
        return true;
    }
}
