package org.m3vit.runtime;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m3vit.model.ModelWeights;
import org.m3vit.moe.Experts;
import org.m3vit.nn.StateDict;

/**
 * One {@link Experts} block of a model as the runtime stores and streams it: its state-dict prefix, E,
 * and one expert's slices of the stacked parameters (names, shapes) with where each sits in a buffer.
 * In a buffer every slice starts at a multiple of {@value #ALIGNMENT} bytes, as the resident stacked
 * tensors' slices do, so the engine sees the same alignment either way.
 *
 * @param prefix state-dict path of the experts block, e.g. {@code backbone.blocks.1.mlp.experts}
 * @param block index of the transformer block whose FFN these experts are (the trace's MoE block), or -1
 *     for experts elsewhere (attention projections)
 * @param params parameter names relative to the block ({@code htoh4.weight}, …), in {@link
 *     Experts#stackedParameters()} order
 * @param shapes one expert's shape of each parameter (the stacked shape without its leading axis)
 * @param offsets byte offset of each slice in a buffer
 * @param bytes float32 bytes of one expert's weights (what is loaded and counted)
 * @param span bytes one expert occupies in a buffer, alignment gaps included
 */
public record ExpertLayer(
        String prefix,
        int block,
        int experts,
        List<String> params,
        List<long[]> shapes,
        long[] offsets,
        long bytes,
        long span) {

    /** Alignment of every slice in a buffer and in a packed artifact, in bytes. */
    public static final int ALIGNMENT = 64;

    private static final Pattern FFN_EXPERTS = Pattern.compile("backbone\\.blocks\\.(\\d+)\\.mlp\\.experts");

    /** Every experts block of {@code model} in state-dict order, keyed by the block object. */
    public static Map<Experts, ExpertLayer> of(Block model) {
        Map<Experts, ExpertLayer> out = new IdentityHashMap<>();
        StateDict.blocks(model).forEach((path, b) -> {
            if (b instanceof Experts ex) {
                out.put(ex, describe(path, ex));
            }
        });
        return out;
    }

    private static ExpertLayer describe(String prefix, Experts ex) {
        List<String> names = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (var p : ex.getDirectParameters()) {
            names.add(p.getKey());
            long[] stacked = ModelWeights.declaredShape(p.getValue()).getShape();
            long[] one = new long[stacked.length - 1];
            System.arraycopy(stacked, 1, one, 0, one.length);
            shapes.add(one);
        }
        long[] offsets = new long[names.size()];
        long bytes = 0;
        long at = 0;
        for (int j = 0; j < names.size(); j++) {
            offsets[j] = at;
            long b = 4 * numel(shapes.get(j));
            bytes += b;
            at = align(at + b);
        }
        Matcher m = FFN_EXPERTS.matcher(prefix);
        int block = m.matches() ? Integer.parseInt(m.group(1)) : -1;
        return new ExpertLayer(prefix, block, ex.count(), List.copyOf(names), List.copyOf(shapes), offsets, bytes, at);
    }

    /** Full state-dict name of parameter {@code j} (the stacked tensor). */
    public String tensor(int j) {
        return prefix + "." + params.get(j);
    }

    /** Elements of one expert's slice of parameter {@code j}. */
    public long numel(int j) {
        return numel(shapes.get(j));
    }

    /** Bytes of one expert's slice of parameter {@code j}. */
    public long sliceBytes(int j) {
        return 4 * numel(j);
    }

    /** "backbone.blocks.1.mlp.experts[3]": how errors name one expert. */
    public String name(int expert) {
        return prefix + "[" + expert + "]";
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    static long align(long at) {
        return (at + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** The stacked parameters of {@code experts}, by full state-dict name. */
    static Map<String, Parameter> parameters(ExpertLayer layer, Experts experts) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        List<Parameter> ps = experts.stackedParameters();
        for (int j = 0; j < ps.size(); j++) {
            out.put(layer.tensor(j), ps.get(j));
        }
        return out;
    }
}
