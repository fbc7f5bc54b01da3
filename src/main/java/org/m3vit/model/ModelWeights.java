package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;
import org.m3vit.io.TensorInfo;
import org.m3vit.io.TensorReader;
import org.m3vit.nn.BatchNorm2dLayer;
import org.m3vit.nn.StateDict;

/**
 * Saves and loads a whole {@link MultiTaskModel} as safetensors with the reference state-dict names
 * (m3vit.md §15), BatchNorm running statistics and {@code num_batches_tracked} included, so a state
 * dict exported from the PyTorch reference loads unchanged. A {@code module.} prefix (DDP checkpoints)
 * is stripped. Loading validates everything first (missing, unexpected, wrong shape, wrong dtype) and
 * reports every offending name with its shapes before any parameter is changed.
 */
public final class ModelWeights {

    private static final String MODULE_PREFIX = "module.";
    private static final int MAX_LISTED = 25;

    private ModelWeights() {}

    /** The model's tensors under reference names: parameters (float32) and BN counters (int64). */
    public static Map<String, Tensor> stateDict(MultiTaskModel model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : StateDict.parameters(model).entrySet()) {
            NDArray a = e.getValue().getArray();
            out.put(
                    e.getKey(),
                    Tensor.of(
                            a.getShape().getShape(),
                            a.toType(DataType.FLOAT32, false).toFloatArray()));
        }
        for (Map.Entry<String, BatchNorm2dLayer> e : batchNorms(model).entrySet()) {
            out.put(
                    e.getKey() + "num_batches_tracked",
                    Tensor.ofLongs(new long[0], new long[] {e.getValue().numBatchesTracked()}));
        }
        return out;
    }

    /**
     * Saves the weights atomically; weights holding NaN or ±Inf are refused (nothing is written), since
     * every reader would refuse them too.
     */
    public static void save(MultiTaskModel model, Path file, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> tensors = stateDict(model);
        List<String> nonFinite = new ArrayList<>();
        tensors.forEach((name, t) -> {
            if (t.isFloat() && countNonFinite(t.floats()) > 0) {
                nonFinite.add(name);
            }
        });
        if (!nonFinite.isEmpty()) {
            throw new IllegalStateException("refusing to write " + file + ": NaN or infinite values in "
                    + nonFinite.size() + " tensor(s): "
                    + String.join(", ", nonFinite.subList(0, Math.min(MAX_LISTED, nonFinite.size())))
                    + (nonFinite.size() > MAX_LISTED ? ", …" : ""));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("producer", "m3vit");
        if (metadata != null) {
            meta.putAll(metadata);
        }
        SafetensorsWriter.write(file, tensors, meta);
    }

    static int countNonFinite(float[] v) {
        int n = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Loads every tensor of {@code file} into {@code model}; the key sets and shapes must match exactly,
     * except that the reference's training-only TAM module ({@code tam_model{l}.…}, m3vit.md §15.3) is
     * skipped: it never affects predictions. Returns the names of the skipped tensors.
     */
    public static List<String> load(MultiTaskModel model, Path file) throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            return load(model, st);
        }
    }

    /** As {@link #load(MultiTaskModel, Path)}, from any reader of reference-named tensors. */
    public static List<String> load(MultiTaskModel model, TensorReader st) throws IOException {
        Map<String, String> names = fileKeys(st);
        Map<String, Parameter> params = StateDict.parameters(model);
        Map<String, BatchNorm2dLayer> counters = counters(model);
        List<String> skipped = validate(model, st);

        // Read everything before touching the model, so an I/O failure leaves it unchanged.
        Map<Parameter, float[]> values = new LinkedHashMap<>();
        List<String> nonFinite = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            float[] v = st.floats(names.get(e.getKey()));
            int bad = countNonFinite(v);
            if (bad > 0) {
                nonFinite.add(names.get(e.getKey()) + " (" + bad + " of " + v.length + ")");
            }
            values.put(e.getValue(), v);
        }
        if (!nonFinite.isEmpty()) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.FILE,
                    String.valueOf(st.path()),
                    "weights " + st.path() + ": NaN or infinite values in " + nonFinite.size() + " tensor(s): "
                            + String.join(", ", nonFinite.subList(0, Math.min(MAX_LISTED, nonFinite.size())))
                            + (nonFinite.size() > MAX_LISTED ? ", …" : ""));
        }
        Map<BatchNorm2dLayer, Long> counts = new LinkedHashMap<>();
        for (Map.Entry<String, BatchNorm2dLayer> e : counters.entrySet()) {
            counts.put(e.getValue(), counter(st, e.getKey(), names.get(e.getKey())));
        }
        try (NDManager tmp = NDManager.newBaseManager()) {
            for (Map.Entry<Parameter, float[]> e : values.entrySet()) {
                copyInto(tmp, e.getKey(), e.getValue());
            }
        }
        counts.forEach(BatchNorm2dLayer::setNumBatchesTracked);
        return skipped;
    }

    /**
     * Checks that {@code st} holds exactly the model's tensors (names, shapes, dtypes; TAM tensors aside)
     * without reading any data; the error names the file and lists every offending tensor. Returns the
     * names of the skipped TAM tensors.
     */
    public static List<String> validate(MultiTaskModel model, TensorReader st) {
        Map<String, String> names = fileKeys(st);
        Map<String, Parameter> params = StateDict.parameters(model);
        Map<String, BatchNorm2dLayer> counters = counters(model);

        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String key = names.get(e.getKey());
            long[] want = declaredShape(e.getValue()).getShape();
            if (key == null) {
                missing.add(e.getKey() + " " + TensorInfo.shapeString(want));
                continue;
            }
            TensorInfo info = st.info(key);
            if (!Arrays.equals(info.shape(), want)) {
                wrong.add(
                        e.getKey() + ": expected " + TensorInfo.shapeString(want) + ", file has " + info.shapeString());
            } else if (!info.dtype().floating()) {
                wrong.add(e.getKey() + ": expected a float dtype, file has " + info.dtype());
            }
        }
        for (String name : counters.keySet()) {
            String key = names.get(name);
            if (key == null) {
                missing.add(name + " ()");
                continue;
            }
            TensorInfo info = st.info(key);
            if (info.numel() != 1 || info.dtype().floating()) {
                wrong.add(name + ": expected an int64 scalar (), file has " + info.dtype() + " " + info.shapeString());
            }
        }
        List<String> unexpected = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Map.Entry<String, String> e : names.entrySet()) {
            if (e.getKey().startsWith("tam_model")) {
                skipped.add(e.getValue());
            } else if (!params.containsKey(e.getKey()) && !counters.containsKey(e.getKey())) {
                unexpected.add(e.getValue() + " " + st.info(e.getValue()).shapeString());
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrong.isEmpty()) {
            StringBuilder m =
                    new StringBuilder("weights " + st.path() + " do not match the model (" + model.config() + "):");
            list(m, "missing", missing);
            list(m, "unexpected", unexpected);
            list(m, "wrong shape or dtype", wrong);
            throw new InvalidInputException(InvalidInputException.Kind.FILE, String.valueOf(st.path()), m.toString());
        }
        return skipped;
    }

    /** BatchNorm {@code num_batches_tracked} counters by their state-dict name. */
    public static Map<String, BatchNorm2dLayer> counters(MultiTaskModel model) {
        Map<String, BatchNorm2dLayer> counters = new LinkedHashMap<>();
        batchNorms(model).forEach((prefix, bn) -> counters.put(prefix + "num_batches_tracked", bn));
        return counters;
    }

    /** A {@code num_batches_tracked} counter's value, checked. */
    public static long counter(TensorReader st, String name, String key) throws IOException {
        long n = st.longs(key)[0];
        if (n < 0) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.FILE,
                    String.valueOf(st.path()),
                    "weights " + st.path() + ": " + name + " is negative (" + n + ")");
        }
        return n;
    }

    /** The shape a parameter is declared with (also when its values are not held). */
    public static Shape declaredShape(Parameter p) {
        return p.getShape() != null ? p.getShape() : p.getArray().getShape();
    }

    /**
     * Puts host float32 data into an initialised parameter of the same shape. The parameter's array takes
     * over the new tensor ({@code intern}) instead of copying into it: the engine's copy prints a libtorch
     * deprecation warning (AutoNonVariableTypeMode) on every load, and taking over saves the copy. Every
     * holder of the parameter's NDArray object sees the new values; requires-grad is carried over.
     */
    public static void copyInto(NDManager tmp, Parameter p, float[] data) {
        NDArray dst = p.getArray();
        boolean grad = dst.hasGradient();
        // create() wraps a Java buffer without copying on CPU; the clone is engine-owned memory, which is
        // what the parameter may keep after the buffer is collected.
        NDArray src = tmp.create(data, dst.getShape())
                .toDevice(dst.getDevice(), false)
                .duplicate();
        dst.intern(src);
        if (grad) {
            dst.setRequiresGradient(true);
        }
    }

    /**
     * File key by model key: the file's names, with a DDP {@code module.} prefix removed if every key has it.
     */
    public static Map<String, String> fileKeys(TensorReader st) {
        boolean allPrefixed = !st.tensors().isEmpty();
        for (String k : st.tensors().keySet()) {
            allPrefixed &= k.startsWith(MODULE_PREFIX);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : st.tensors().keySet()) {
            out.put(allPrefixed ? k.substring(MODULE_PREFIX.length()) : k, k);
        }
        return out;
    }

    private static void list(StringBuilder m, String what, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        m.append("\n  ").append(what).append(" (").append(items.size()).append("): ");
        for (int i = 0; i < Math.min(items.size(), MAX_LISTED); i++) {
            m.append(i > 0 ? ", " : "").append(items.get(i));
        }
        if (items.size() > MAX_LISTED) {
            m.append(", … and ").append(items.size() - MAX_LISTED).append(" more");
        }
    }

    /** Every BatchNorm layer by its state-dict prefix ("decoders.semseg.syncbn_fc_0."). */
    static Map<String, BatchNorm2dLayer> batchNorms(Block root) {
        Map<String, BatchNorm2dLayer> out = new LinkedHashMap<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(Block block, String prefix, Map<String, BatchNorm2dLayer> out) {
        if (block instanceof BatchNorm2dLayer) {
            out.put(prefix, (BatchNorm2dLayer) block);
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), prefix + moduleName(child.getKey()) + ".", out);
        }
    }

    private static String moduleName(String djlChildName) {
        // Same rule as StateDict: DJL prefixes child names with a two-digit position.
        return djlChildName.length() > 2
                        && Character.isDigit(djlChildName.charAt(0))
                        && Character.isDigit(djlChildName.charAt(1))
                ? djlChildName.substring(2)
                : djlChildName;
    }

    static Shape shapeOf(Parameter p) {
        return p.getArray().getShape();
    }
}
