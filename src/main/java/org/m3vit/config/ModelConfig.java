package org.m3vit.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.moe.Dispatchers;
import org.m3vit.moe.ExpertKind;
import org.m3vit.moe.GateType;
import org.m3vit.moe.MoeSpec;
import org.m3vit.moe.RoutingConditions;
import org.m3vit.task.TaskSet;

/**
 * Everything that fixes the model's structure and parameter shapes. Built from YAML by
 * {@link ConfigLoader} or in code with {@link #builder()}; {@link Builder#build()} rejects impossible
 * combinations with a message naming the config key.
 */
public final class ModelConfig {

    /** Largest image side (pixels); the patch grid then fits an int. */
    public static final int MAX_IMAGE_SIDE = 1 << 16;

    /** Largest embedding width, channel count, input channels or expert count. */
    public static final int MAX_WIDTH = 1 << 16;

    /** Largest MLP / expert hidden width. */
    public static final int MAX_HIDDEN = 1 << 24;

    /** Largest number of blocks. */
    public static final int MAX_DEPTH = 1 << 10;

    private final TaskSet tasks;
    private final int imgHeight;
    private final int imgWidth;
    private final int patchSize;
    private final int inChans;
    private final int embedDim;
    private final int depth;
    private final int numHeads;
    private final double mlpRatio;
    private final boolean qkvBias;
    private final List<Integer> moeLayers;
    private final MoeSpec moe;
    private final double moeMlpRatio;
    private final int headChannels;
    private final int inIndex;

    private ModelConfig(Builder b) {
        tasks = b.tasks;
        imgHeight = b.imgHeight;
        imgWidth = b.imgWidth;
        patchSize = b.patchSize;
        inChans = b.inChans;
        embedDim = b.embedDim;
        depth = b.depth;
        numHeads = b.numHeads;
        mlpRatio = b.mlpRatio;
        qkvBias = b.qkvBias;
        moeLayers = Collections.unmodifiableList(new ArrayList<>(new TreeSet<>(b.moeLayers)));
        moe = b.spec;
        moeMlpRatio = b.moeMlpRatio;
        headChannels = b.headChannels;
        inIndex = b.inIndex < 0 ? b.depth - 1 : b.inIndex;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this config, to derive variants (baselines, overrides). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tasks = tasks;
        b.imgHeight = imgHeight;
        b.imgWidth = imgWidth;
        b.patchSize = patchSize;
        b.inChans = inChans;
        b.embedDim = embedDim;
        b.depth = depth;
        b.numHeads = numHeads;
        b.mlpRatio = mlpRatio;
        b.qkvBias = qkvBias;
        b.moeLayers = new ArrayList<>(moeLayers);
        b.moeExperts = moe.experts();
        b.moeTopK = moe.topK();
        b.moeMlpRatio = moeMlpRatio;
        b.gateType = moe.gate().id();
        b.noisyStd = moe.noiseStd();
        b.multiGate = moe.multiGate();
        b.gateTaskSpecificDim = moe.taskDim();
        // a routing that follows from multi_gate and G stays derived, so toBuilder().multiGate(false)... still derives
        // it
        b.routing = moe.routing().equals(derivedRouting(moe.multiGate(), moe.taskDim())) ? null : moe.routing();
        b.dispatch = moe.dispatch();
        b.capacityFactor = moe.capacityFactor();
        b.batchPrioritized = moe.batchPrioritized();
        b.headChannels = headChannels;
        b.inIndex = inIndex;
        return b;
    }

    /** The dense multi-task baseline of equal width: same backbone and heads, every block dense. */
    public ModelConfig denseBaseline() {
        return toBuilder().moeLayers(List.of()).build();
    }

    public TaskSet tasks() {
        return tasks;
    }

    public int imgHeight() {
        return imgHeight;
    }

    public int imgWidth() {
        return imgWidth;
    }

    public int patchSize() {
        return patchSize;
    }

    public int inChans() {
        return inChans;
    }

    public int embedDim() {
        return embedDim;
    }

    public int depth() {
        return depth;
    }

    public int numHeads() {
        return numHeads;
    }

    public double mlpRatio() {
        return mlpRatio;
    }

    public boolean qkvBias() {
        return qkvBias;
    }

    /** Indices of the blocks whose FFN is an MoE layer, ascending; empty for a dense ViT. */
    public List<Integer> moeLayers() {
        return moeLayers;
    }

    public boolean isMoe() {
        return !moeLayers.isEmpty();
    }

    public boolean isMoeBlock(int i) {
        return moeLayers.contains(i);
    }

    /** Index of the first block with a router, or depth if none: blocks before it are task-independent. */
    public int firstMoeBlock() {
        return moeLayers.isEmpty() ? depth : moeLayers.get(0);
    }

    /** The MoE layers' settings, as {@link org.m3vit.moe.MoeLayer.Builder#spec} takes them. */
    public MoeSpec moe() {
        return moe;
    }

    public int moeExperts() {
        return moe.experts();
    }

    public int moeTopK() {
        return moe.topK();
    }

    public double moeMlpRatio() {
        return moeMlpRatio;
    }

    public String gateType() {
        return moe.gate().id();
    }

    public float noisyStd() {
        return moe.noiseStd();
    }

    public boolean multiGate() {
        return moe.multiGate();
    }

    public int gateTaskSpecificDim() {
        return moe.taskDim();
    }

    public int headChannels() {
        return headChannels;
    }

    /** Which block's output the heads read (reference: 11, the last block). */
    public int inIndex() {
        return inIndex;
    }

    public int gridHeight() {
        return imgHeight / patchSize;
    }

    public int gridWidth() {
        return imgWidth / patchSize;
    }

    /** Patch tokens N (without cls). */
    public int numPatches() {
        return gridHeight() * gridWidth();
    }

    /** H = int(D·moe_mlp_ratio); a negative ratio falls back to mlp_ratio, as in the reference. */
    public int moeHidden() {
        return (int) (embedDim * (moeMlpRatio < 0 ? mlpRatio : moeMlpRatio));
    }

    public int denseHidden() {
        return (int) (embedDim * mlpRatio);
    }

    /** The reference's routing: task-conditioned with one shared gate and G ≥ 1, else token-level. */
    static String derivedRouting(boolean multiGate, int taskDim) {
        return !multiGate && taskDim >= 1 ? "task_conditioned" : "token";
    }

    /** Whether one shared router is fed concat(token, f_t) (M³ViT's task-conditioned routing). */
    public boolean taskConditioned() {
        return isMoe() && moe.routing().equals("task_conditioned");
    }

    /** The routing condition's id ({@link org.m3vit.moe.RoutingConditions}): what every router sees. */
    public String routing() {
        return moe.routing();
    }

    @Override
    public String toString() {
        String moeText = isMoe()
                ? ", moe_layers=" + moeLayers + ", E=" + moe.experts() + ", k=" + moe.topK()
                        + ", H=" + moeHidden() + ", gate=" + moe.gate().id() + ", routing=" + moe.routing()
                        + (moe.multiGate() ? " (gate per task)" : "")
                : ", dense";
        return "ModelConfig(D=" + embedDim + ", depth=" + depth + ", heads=" + numHeads + ", img=" + imgHeight + "x"
                + imgWidth + ", patch=" + patchSize + moeText + ", tasks=" + tasks + ", head_channels=" + headChannels
                + ")";
    }

    /** Builder with the M³ViT ViT-S defaults of the README recipe; tasks are required. */
    public static final class Builder {
        private TaskSet tasks;
        private int imgHeight = 512;
        private int imgWidth = 512;
        private int patchSize = 16;
        private int inChans = 3;
        private int embedDim = 384;
        private int depth = 12;
        private int numHeads = 12;
        private double mlpRatio = 4.0;
        private boolean qkvBias = true;
        private List<Integer> moeLayers = null;
        private int moeExperts = 16;
        private int moeTopK = 4;
        private double moeMlpRatio = 1.0;
        private String gateType = "noisy_vmoe";
        private float noisyStd = 0f;
        private boolean multiGate = true;
        private int gateTaskSpecificDim = -1;
        private String routing;
        private String dispatch = Dispatchers.REORDERED;
        private double capacityFactor;
        private boolean batchPrioritized;
        private MoeSpec spec;
        private int headChannels = 256;
        private int inIndex = -1;

        public Builder tasks(TaskSet t) {
            tasks = t;
            return this;
        }

        public Builder imgSize(int h, int w) {
            imgHeight = h;
            imgWidth = w;
            return this;
        }

        public Builder patchSize(int p) {
            patchSize = p;
            return this;
        }

        public Builder inChans(int c) {
            inChans = c;
            return this;
        }

        public Builder preset(VitPreset p) {
            embedDim = p.embedDim();
            depth = p.depth();
            numHeads = p.numHeads();
            return this;
        }

        public Builder embedDim(int d) {
            embedDim = d;
            return this;
        }

        public Builder depth(int d) {
            depth = d;
            return this;
        }

        public Builder numHeads(int h) {
            numHeads = h;
            return this;
        }

        public Builder mlpRatio(double r) {
            mlpRatio = r;
            return this;
        }

        public Builder qkvBias(boolean on) {
            qkvBias = on;
            return this;
        }

        /** MoE block indices; null (default) = the odd blocks, empty = dense ViT. */
        public Builder moeLayers(List<Integer> layers) {
            moeLayers = layers == null ? null : new ArrayList<>(layers);
            return this;
        }

        public Builder moeExperts(int e) {
            moeExperts = e;
            return this;
        }

        public Builder moeTopK(int k) {
            moeTopK = k;
            return this;
        }

        public Builder moeMlpRatio(double r) {
            moeMlpRatio = r;
            return this;
        }

        public Builder gateType(String g) {
            gateType = g;
            return this;
        }

        public Builder noisyStd(float s) {
            noisyStd = s;
            return this;
        }

        public Builder multiGate(boolean on) {
            multiGate = on;
            return this;
        }

        public Builder gateTaskSpecificDim(int g) {
            gateTaskSpecificDim = g;
            return this;
        }

        /** The routing condition ({@link RoutingConditions} id); null = derived from multi_gate and G. */
        public Builder moeRouting(String r) {
            routing = r;
            return this;
        }

        /** A {@link Dispatchers} id; default reordered. */
        public Builder moeDispatch(String d) {
            dispatch = d;
            return this;
        }

        public Builder moeCapacity(double factor, boolean prioritized) {
            capacityFactor = factor;
            batchPrioritized = prioritized;
            return this;
        }

        public Builder headChannels(int c) {
            headChannels = c;
            return this;
        }

        public Builder inIndex(int i) {
            inIndex = i;
            return this;
        }

        public ModelConfig build() {
            if (tasks == null) {
                throw new IllegalArgumentException("task_dictionary: no tasks given");
            }
            positive("backbone_kwargs.img_size", imgHeight);
            positive("backbone_kwargs.img_size", imgWidth);
            // Structural bounds: every size fits the int arithmetic of the model code. The resource limits
            // (parameters, activation memory) are checked when a model is built (errors.Limits).
            atMost("backbone_kwargs.img_size", Math.max(imgHeight, imgWidth), MAX_IMAGE_SIDE);
            atMost("backbone_kwargs.embed_dim", embedDim, MAX_WIDTH);
            atMost("backbone_kwargs.depth", depth, MAX_DEPTH);
            atMost("backbone_kwargs.in_chans", inChans, MAX_WIDTH);
            atMost("backbone_kwargs.moe_experts", moeExperts, MAX_WIDTH);
            atMost("head_kwargs.channels", headChannels, MAX_WIDTH);
            if (!(embedDim * mlpRatio <= MAX_HIDDEN)) {
                throw InvalidInputException.key(
                        "backbone_kwargs.mlp_ratio",
                        mlpRatio + " gives a hidden width of " + embedDim * mlpRatio + ", beyond the limit of "
                                + MAX_HIDDEN);
            }
            if (!(embedDim * moeMlpRatio <= MAX_HIDDEN)) {
                throw InvalidInputException.key(
                        "backbone_kwargs.moe_mlp_ratio",
                        moeMlpRatio + " gives an expert hidden width of " + embedDim * moeMlpRatio
                                + ", beyond the limit of " + MAX_HIDDEN);
            }
            if (patchSize != 16) {
                throw new IllegalArgumentException("backbone_kwargs.patch_size must be 16, got " + patchSize
                        + " (the up-head restores resolution with four x2 upsamplings)");
            }
            if (imgHeight % patchSize != 0 || imgWidth % patchSize != 0) {
                throw new IllegalArgumentException("backbone_kwargs.img_size: " + imgHeight + "x" + imgWidth
                        + " is not divisible by backbone_kwargs.patch_size " + patchSize);
            }
            positive("backbone_kwargs.in_chans", inChans);
            positive("backbone_kwargs.embed_dim", embedDim);
            positive("backbone_kwargs.depth", depth);
            positive("backbone_kwargs.num_heads", numHeads);
            if (embedDim % numHeads != 0) {
                throw new IllegalArgumentException("backbone_kwargs.embed_dim " + embedDim
                        + " is not divisible by backbone_kwargs.num_heads " + numHeads);
            }
            if (!(mlpRatio > 0) || (int) (embedDim * mlpRatio) < 1) {
                throw new IllegalArgumentException(
                        "backbone_kwargs.mlp_ratio must give a hidden width >= 1, got " + mlpRatio);
            }
            if (!qkvBias) {
                throw new IllegalArgumentException("backbone_kwargs.qkv_bias False is not supported (M3ViT's qkv"
                        + " has a bias: the reference's 'True,' is truthy)");
            }
            if (moeLayers == null) {
                moeLayers = new ArrayList<>();
                for (int i = 1; i < depth; i += 2) {
                    moeLayers.add(i);
                }
            }
            for (int i : moeLayers) {
                if (i < 0 || i >= depth) {
                    throw new IllegalArgumentException(
                            "backbone_kwargs.moe_layers: block index " + i + " out of range for depth " + depth);
                }
            }
            if (!moeLayers.isEmpty()) {
                positive("backbone_kwargs.moe_experts", moeExperts);
                positive("backbone_kwargs.moe_top_k", moeTopK);
                if (moeTopK > moeExperts) {
                    throw new IllegalArgumentException("backbone_kwargs.moe_top_k " + moeTopK
                            + " is larger than backbone_kwargs.moe_experts " + moeExperts);
                }
                double r = moeMlpRatio < 0 ? mlpRatio : moeMlpRatio;
                if (moeMlpRatio == 0 || (int) (embedDim * r) < 1) {
                    throw new IllegalArgumentException("backbone_kwargs.moe_mlp_ratio " + moeMlpRatio
                            + " gives an expert hidden width < 1 (negative means: use mlp_ratio)");
                }
                GateType gate = GateType.parse(gateType, "backbone_kwargs.moe_gate_type");
                if (!(noisyStd >= 0) || Float.isInfinite(noisyStd)) {
                    throw InvalidInputException.key(
                            "backbone_kwargs.vmoe_noisy_std", "must be a finite number >= 0," + " got " + noisyStd);
                }
                String cond = routing != null ? routing : derivedRouting(multiGate, gateTaskSpecificDim);
                if (!RoutingConditions.ids().contains(cond)) {
                    throw InvalidInputException.key(
                            "backbone_kwargs.moe_routing",
                            "unknown routing condition '" + cond + "'; expected one of "
                                    + String.join(", ", RoutingConditions.ids()));
                }
                if (multiGate && gateTaskSpecificDim >= 0) {
                    throw InvalidInputException.key(
                            "backbone_kwargs.multi_gate",
                            "True cannot be combined with"
                                    + " backbone_kwargs.gate_task_specific_dim " + gateTaskSpecificDim
                                    + " >= 0 (the reference builds (D+G)-row gates with no task embedding); use -1,"
                                    + " or multi_gate False for task-conditioned routing");
                }
                if (!multiGate && gateTaskSpecificDim == 0) {
                    throw InvalidInputException.key(
                            "backbone_kwargs.gate_task_specific_dim",
                            "0 gives an empty task"
                                    + " embedding; use >= 1 for task-conditioned routing or -1 for none");
                }
                if (cond.equals("task_conditioned") && (multiGate || gateTaskSpecificDim < 1)) {
                    throw InvalidInputException.key(
                            "backbone_kwargs.moe_routing",
                            "task_conditioned needs"
                                    + " multi_gate False and gate_task_specific_dim >= 1 (one shared gate fed the task"
                                    + " embedding)");
                }
                if (!cond.equals("task_conditioned") && gateTaskSpecificDim >= 1) {
                    throw InvalidInputException.key(
                            "backbone_kwargs.gate_task_specific_dim",
                            gateTaskSpecificDim
                                    + " gives a task embedding, which only moe_routing task_conditioned uses (got "
                                    + cond + ")");
                }
                if (!Dispatchers.ids().contains(dispatch)) {
                    throw InvalidInputException.key(
                            "backbone_kwargs.moe_dispatch",
                            "unknown dispatch mode '" + dispatch + "'; expected one of "
                                    + String.join(", ", Dispatchers.ids()));
                }
                if (!(capacityFactor >= 0) || Double.isInfinite(capacityFactor)) {
                    throw InvalidInputException.key(
                            "backbone_kwargs.moe_capacity_factor",
                            "must be a finite number" + " >= 0 (0 = no limit), got " + capacityFactor);
                }
                spec = new MoeSpec(
                        moeExperts,
                        moeTopK,
                        gate,
                        noisyStd,
                        cond,
                        multiGate,
                        gateTaskSpecificDim,
                        dispatch,
                        capacityFactor,
                        batchPrioritized,
                        ExpertKind.FFN);
            } else {
                // a dense ViT has no MoE layer; the defaults keep accessors total and the config comparable
                spec = MoeSpec.m3vitDefaults();
            }
            positive("head_kwargs.channels", headChannels);
            if (inIndex >= depth) {
                throw new IllegalArgumentException(
                        "head_kwargs.in_index " + inIndex + " out of range for depth " + depth);
            }
            return new ModelConfig(this);
        }

        private static void atMost(String key, long v, long max) {
            if (v > max) {
                throw InvalidInputException.key(key, v + " is beyond the limit of " + max);
            }
        }

        private static void positive(String key, long v) {
            if (v < 1) {
                throw new IllegalArgumentException(key + " must be >= 1, got " + v);
            }
        }
    }
}
