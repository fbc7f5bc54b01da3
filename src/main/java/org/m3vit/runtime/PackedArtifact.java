package org.m3vit.runtime;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.DType;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;
import org.m3vit.io.TensorInfo;
import org.m3vit.io.TensorReader;
import org.m3vit.model.ModelWeights;

/**
 * The expert-major artifact {@code m3vit pack} writes: still a safetensors model artifact (the config
 * and provenance in its metadata), with every tensor but the experts under its reference name, and each
 * (layer, expert) as its own contiguous group {@code <prefix>.<e>.<param>} (e.g.
 * {@code backbone.blocks.1.mlp.experts.3.htoh4.weight}), every tensor starting at a multiple of
 * {@value ExpertLayer#ALIGNMENT} bytes. One expert is then one positioned read, laid out exactly as a
 * runtime buffer holds it, and checked against its CRC32C from {@code m3vit.experts.index} on its first read
 * (later reads are of the same bytes: before every read the file must not have been truncated or rewritten
 * since it was opened, {@link FileIdentity}).
 *
 * <p>For everything that loads whole models (resident predictors, packing again) the artifact presents
 * itself as the reference layout ({@link #tensors()}): the stacked tensors, assembled on read.
 */
final class PackedArtifact implements ExpertStore {

    /**
     * One (layer, expert) group in the file.
     *
     * @param start file offset of its first byte
     * @param offsets each parameter's offset from {@code start}
     */
    private record Group(long start, int bytes, int crc, long[] offsets) {}

    private final SafetensorsFile file;
    private final Map<String, List<String>> params = new LinkedHashMap<>();
    private final Map<String, Group[]> groups = new LinkedHashMap<>();
    private final Map<String, TensorInfo> view = new LinkedHashMap<>();
    /** stacked tensor name → {experts prefix, parameter name} */
    private final Map<String, String[]> stackedParts = new LinkedHashMap<>();

    private final FileIdentity identity;
    /** groups whose CRC has been checked since the file was opened (it cannot change unnoticed since) */
    private final Set<String> verified = ConcurrentHashMap.newKeySet();

    private PackedArtifact(SafetensorsFile file) throws IOException {
        this.file = file;
        this.identity = new FileIdentity(file.path());
        Path path = file.path();
        JsonObject index = ExpertMetadata.object(path, ExpertMetadata.KEY_INDEX, required(file));
        Map<String, String> hidden = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> en : index.entrySet()) {
            String prefix = en.getKey();
            String at = ExpertMetadata.KEY_INDEX + "." + prefix;
            if (!en.getValue().isJsonObject()) {
                throw InvalidInputException.file(path, at + ": expected an object");
            }
            JsonObject o = en.getValue().getAsJsonObject();
            int experts = ExpertMetadata.integer(path, at + ".experts", o.get("experts"));
            List<String> names = strings(path, at + ".params", o.get("params"));
            JsonElement crcs = o.get("crc32c");
            if (crcs == null || !crcs.isJsonArray() || crcs.getAsJsonArray().size() != experts) {
                throw InvalidInputException.file(path, at + ".crc32c: expected " + experts + " entries");
            }
            long[][] shapes = new long[names.size()][];
            Group[] g = new Group[experts];
            for (int e = 0; e < experts; e++) {
                JsonElement crc = crcs.getAsJsonArray().get(e);
                if (crc.isJsonNull()) {
                    continue; // dropped: no tensors
                }
                long start = -1;
                long end = -1;
                long[] begins = new long[names.size()];
                for (int j = 0; j < names.size(); j++) {
                    String key = prefix + "." + e + "." + names.get(j);
                    TensorInfo info = file.info(key);
                    if (info.dtype() != DType.F32) {
                        throw InvalidInputException.file(path, "'" + key + "' is " + info.dtype() + ", expected F32");
                    }
                    if (shapes[j] == null) {
                        shapes[j] = info.shape();
                    } else if (!Arrays.equals(shapes[j], info.shape())) {
                        throw InvalidInputException.file(
                                path,
                                "'" + key + "' " + info.shapeString() + " differs from the other experts' "
                                        + TensorInfo.shapeString(shapes[j]));
                    }
                    start = j == 0 ? info.begin() : start;
                    if (info.begin() < end) {
                        throw InvalidInputException.file(path, "'" + key + "' is out of order in its expert's group");
                    }
                    begins[j] = info.begin() - start;
                    end = info.end();
                    hidden.put(key, key);
                }
                g[e] = new Group(file.dataStart() + start, Math.toIntExact(end - start), crc.getAsInt(), begins);
            }
            for (int j = 0; j < names.size(); j++) {
                if (shapes[j] == null) {
                    throw InvalidInputException.file(path, at + ": every expert is dropped");
                }
                long[] stacked = new long[shapes[j].length + 1];
                stacked[0] = experts;
                System.arraycopy(shapes[j], 0, stacked, 1, shapes[j].length);
                String name = prefix + "." + names.get(j);
                view.put(name, new TensorInfo(name, DType.F32, stacked, 0, 4 * ExpertLayer.numel(stacked)));
                stackedParts.put(name, new String[] {prefix, names.get(j)});
            }
            params.put(prefix, names);
            groups.put(prefix, g);
        }
        for (Map.Entry<String, TensorInfo> e : file.tensors().entrySet()) {
            if (!hidden.containsKey(e.getKey()) && !e.getKey().startsWith(SafetensorsWriter.PADDING_PREFIX)) {
                view.put(e.getKey(), e.getValue());
            }
        }
    }

    static PackedArtifact open(SafetensorsFile file) throws IOException {
        return new PackedArtifact(file);
    }

    private static String required(SafetensorsFile file) {
        String text = file.metadata().get(ExpertMetadata.KEY_INDEX);
        if (text == null) {
            throw InvalidInputException.file(
                    file.path(), "is an expert-major artifact without " + ExpertMetadata.KEY_INDEX);
        }
        return text;
    }

    private static List<String> strings(Path path, String field, JsonElement e) {
        if (e == null || !e.isJsonArray()) {
            throw InvalidInputException.file(path, field + ": expected a list of names");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement x : e.getAsJsonArray()) {
            out.add(x.getAsString());
        }
        return out;
    }

    @Override
    public Path file() {
        return file.path();
    }

    /** Checks that the groups of {@code layer} sit as a buffer holds them (the artifact matches the model). */
    void checkLayout(ExpertLayer layer) {
        Group[] g = groups.get(layer.prefix());
        if (g == null || !params.get(layer.prefix()).equals(layer.params()) || g.length != layer.experts()) {
            throw InvalidInputException.file(
                    file.path(),
                    ExpertMetadata.KEY_INDEX + " does not describe the model's experts " + layer.prefix() + " ("
                            + layer.experts() + " experts of " + layer.params() + ")");
        }
        for (int e = 0; e < g.length; e++) {
            if (g[e] == null) {
                continue;
            }
            for (int j = 0; j < layer.params().size(); j++) {
                TensorInfo info = file.info(
                        layer.prefix() + "." + e + "." + layer.params().get(j));
                if (file.dataStart() + info.begin() - g[e].start() != layer.offsets()[j]) {
                    throw InvalidInputException.file(
                            file.path(),
                            "tensor '" + info.name() + "' is not where an expert-major artifact puts it"
                                    + " (write it with m3vit pack)");
                }
            }
        }
    }

    /** Experts without weights in the file (dropped by extraction), by prefix. */
    Map<String, Set<Integer>> absent() {
        Map<String, Set<Integer>> out = new LinkedHashMap<>();
        groups.forEach((prefix, g) -> {
            Set<Integer> ids = new TreeSet<>();
            for (int e = 0; e < g.length; e++) {
                if (g[e] == null) {
                    ids.add(e);
                }
            }
            out.put(prefix, ids);
        });
        return out;
    }

    @Override
    public void read(ExpertLayer layer, int expert, ByteBuffer buffer) throws IOException {
        Group g = groups.get(layer.prefix())[expert];
        if (g == null) {
            throw new IllegalStateException(layer.name(expert) + " is dropped and has no weights to load");
        }
        readGroup(layer.prefix(), expert, g, buffer);
    }

    /** One positioned read of a group into {@code buffer} (from 0), checked against its CRC32C. */
    private void readGroup(String prefix, int expert, Group g, ByteBuffer buffer) throws IOException {
        String name = prefix + "[" + expert + "]";
        identity.check("expert " + name);
        ByteBuffer part = buffer.slice(0, g.bytes());
        try {
            file.readBytes(g.start(), part);
        } catch (EOFException e) {
            throw InvalidInputException.file(file.path(), "ends inside expert " + name + ": truncated");
        }
        if (verified.contains(name)) {
            // checked on an earlier read, and the file has not been rewritten since (identity above)
            return;
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(0, g.bytes()));
        if ((int) crc.getValue() == g.crc()) {
            verified.add(name);
        } else {
            throw InvalidInputException.file(
                    file.path(),
                    "expert " + name + " is corrupt: its bytes [" + g.start() + ", " + (g.start() + g.bytes())
                            + ") do not match the CRC32C recorded when it was packed");
        }
    }

    /** The whole state dict in the reference layout, experts stacked (dropped experts read as zeros). */
    TensorReader tensors() {
        return new TensorReader() {
            @Override
            public Path path() {
                return file.path();
            }

            @Override
            public Map<String, TensorInfo> tensors() {
                return view;
            }

            @Override
            public Map<String, String> metadata() {
                return file.metadata();
            }

            @Override
            public float[] floats(String name) throws IOException {
                TensorInfo info = info(name);
                String[] parts = stackedParts.get(name);
                if (parts == null) {
                    return file.floats(name);
                }
                String prefix = parts[0];
                int j = params.get(prefix).indexOf(parts[1]);
                Group[] g = groups.get(prefix);
                int per = Math.toIntExact(info.numel() / g.length);
                float[] out = new float[Math.toIntExact(info.numel())];
                for (int e = 0; e < g.length; e++) {
                    if (g[e] != null) {
                        // through the group, so whole-model loads check every expert's CRC too
                        ByteBuffer b = ByteBuffer.allocate(g[e].bytes()).order(ByteOrder.LITTLE_ENDIAN);
                        readGroup(prefix, e, g[e], b);
                        b.position(Math.toIntExact(g[e].offsets()[j]));
                        b.asFloatBuffer().get(out, e * per, per);
                    }
                }
                return out;
            }

            @Override
            public void readFloats(String name, ByteBuffer dst) throws IOException {
                if (stackedParts.containsKey(name)) {
                    TensorReader.super.readFloats(name, dst);
                } else {
                    file.readFloats(name, dst);
                }
            }

            @Override
            public long[] longs(String name) throws IOException {
                return file.longs(name);
            }
        };
    }

    /**
     * Writes {@code source}'s tensors as an expert-major artifact with {@code metadata} (the artifact's own)
     * plus the layout keys. {@code dropped} experts are left out.
     */
    static void write(
            TensorReader source,
            Collection<ExpertLayer> layers,
            Map<String, Set<Integer>> dropped,
            Map<String, String> metadata,
            Path out)
            throws IOException {
        Map<String, String> keys = ModelWeights.fileKeys(source);
        Map<String, ExpertLayer> byTensor = new LinkedHashMap<>();
        for (ExpertLayer l : layers) {
            for (int j = 0; j < l.params().size(); j++) {
                byTensor.put(l.tensor(j), l);
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : new TreeMap<>(keys).keySet()) {
            if (!byTensor.containsKey(name)) {
                tensors.put(name, read(source, keys.get(name)));
            }
        }
        JsonObject index = new JsonObject();
        for (ExpertLayer l : layers) {
            Set<Integer> gone = dropped.getOrDefault(l.prefix(), Set.of());
            float[][] stacked = new float[l.params().size()][];
            for (int j = 0; j < stacked.length; j++) {
                stacked[j] = source.floats(keys.get(l.tensor(j)));
            }
            JsonArray crcs = new JsonArray();
            for (int e = 0; e < l.experts(); e++) {
                if (gone.contains(e)) {
                    crcs.add(JsonNull.INSTANCE);
                    continue;
                }
                ByteBuffer image =
                        ByteBuffer.allocate(Math.toIntExact(l.span())).order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < stacked.length; j++) {
                    int n = Math.toIntExact(l.numel(j));
                    float[] one = new float[n];
                    System.arraycopy(stacked[j], e * n, one, 0, n);
                    tensors.put(
                            l.prefix() + "." + e + "." + l.params().get(j),
                            Tensor.of(l.shapes().get(j), one));
                    image.position(Math.toIntExact(l.offsets()[j]));
                    image.asFloatBuffer().put(one);
                }
                int last = stacked.length - 1;
                CRC32C crc = new CRC32C();
                crc.update(image.array(), 0, Math.toIntExact(l.offsets()[last] + l.sliceBytes(last)));
                crcs.add((int) crc.getValue());
            }
            JsonObject entry = new JsonObject();
            entry.addProperty("experts", l.experts());
            JsonArray names = new JsonArray();
            l.params().forEach(names::add);
            entry.add("params", names);
            entry.add("crc32c", crcs);
            index.add(l.prefix(), entry);
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(ExpertMetadata.KEY_LAYOUT, ExpertMetadata.EXPERT_MAJOR);
        meta.put(ExpertMetadata.KEY_INDEX, index.toString());
        meta.putAll(ExpertMetadata.droppedEntry(dropped));
        SafetensorsWriter.writeAligned(out, tensors, meta, ExpertLayer.ALIGNMENT);
    }

    private static Tensor read(TensorReader source, String key) throws IOException {
        TensorInfo info = source.info(key);
        return info.dtype().floating()
                ? Tensor.of(info.shape(), source.floats(key))
                : Tensor.ofLongs(info.shape(), source.longs(key));
    }
}
