package org.m3vit.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names every parameter of a block tree the way a PyTorch state dict does ({@code a.b.weight}).
 * DJL prefixes child names with their position ("01gate"); the prefix is dropped, so blocks only have
 * to use the reference module names for their children and parameters.
 */
public final class StateDict {

    private StateDict() {}

    public static Map<String, Parameter> parameters(Block root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(root, "", out);
        return out;
    }

    /** Every block of the tree by its module path ({@code backbone.blocks.1.mlp.experts}); the root is "". */
    public static Map<String, Block> blocks(Block root) {
        Map<String, Block> out = new LinkedHashMap<>();
        collectBlocks(root, "", out);
        return out;
    }

    private static void collectBlocks(Block block, String path, Map<String, Block> out) {
        out.put(path, block);
        for (Pair<String, Block> child : block.getChildren()) {
            String name = moduleName(child.getKey());
            collectBlocks(child.getValue(), path.isEmpty() ? name : path + "." + name, out);
        }
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + p.getKey(), p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), prefix + moduleName(child.getKey()) + ".", out);
        }
    }

    /** "01gate" → "gate": DJL's two-digit ordering prefix is not part of the module name. */
    static String moduleName(String djlChildName) {
        return djlChildName.length() > 2
                        && Character.isDigit(djlChildName.charAt(0))
                        && Character.isDigit(djlChildName.charAt(1))
                ? djlChildName.substring(2)
                : djlChildName;
    }
}
