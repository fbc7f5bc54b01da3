package org.m3vit.runtime;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.moe.Dispatchers;
import org.m3vit.moe.ExpertSource;
import org.m3vit.moe.Experts;
import org.m3vit.moe.MoeLayer;
import org.m3vit.nn.StateDict;
import org.m3vit.task.Task;

/**
 * The co-design runtime: a model whose shared weights (patch embedding, attention, dense MLPs, shared
 * routing parts) are resident, whose running task's routers and head are resident ({@link TaskResidency}),
 * and whose experts stream from the weights file through N buffers ({@link ExpertBuffers}).
 */
final class StreamedRuntime implements ExpertRuntime {

    private final WeightFile file;
    private final Map<Experts, ExpertLayer> layers;
    private final ExpertBuffers buffers;
    private final TaskResidency tasks;
    private final BufferPlan plan;
    private final long sharedBytes;
    private final long largestExpert;
    private final long experts;

    private StreamedRuntime(
            WeightFile file,
            Map<Experts, ExpertLayer> layers,
            ExpertBuffers buffers,
            TaskResidency tasks,
            BufferPlan plan,
            long sharedBytes,
            long largestExpert,
            long experts) {
        this.file = file;
        this.layers = layers;
        this.buffers = buffers;
        this.tasks = tasks;
        this.plan = plan;
        this.sharedBytes = sharedBytes;
        this.largestExpert = largestExpert;
        this.experts = experts;
    }

    static StreamedRuntime open(MultiTaskModel model, Path weights, NDManager manager, StreamingOptions options)
            throws IOException {
        ModelConfig config = model.config();
        if (config.isMoe() && config.moe().dispatch().equals(Dispatchers.DENSE)) {
            throw InvalidInputException.key(
                    "backbone_kwargs.moe_dispatch",
                    "dense dispatch runs every expert on every token, so its experts cannot stream;"
                            + " use reordered dispatch");
        }
        WeightFile file = WeightFile.open(weights);
        try {
            Map<String, Parameter> params = StateDict.parameters(model);
            ParameterValues.releaseAll(params.values(), () -> model.initialize(manager));
            ModelWeights.validate(model, file.tensors());
            Map<String, String> keys = ModelWeights.fileKeys(file.tensors());

            Map<Experts, ExpertLayer> layers = ExpertLayer.of(model);
            Set<Parameter> streamed = Collections.newSetFromMap(new IdentityHashMap<>());
            long span = 0;
            long largest = 0;
            long count = 0;
            for (Map.Entry<Experts, ExpertLayer> e : layers.entrySet()) {
                file.checkLayout(e.getValue());
                streamed.addAll(e.getKey().stackedParameters());
                span = Math.max(span, e.getValue().span());
                largest = Math.max(largest, e.getValue().bytes());
                count += e.getValue().experts();
            }
            Map<Task, Map<String, Parameter>> perTask = taskParameters(model, params);
            Set<Parameter> taskOwned = Collections.newSetFromMap(new IdentityHashMap<>());
            perTask.values().forEach(m -> taskOwned.addAll(m.values()));

            Map<String, Parameter> shared = new LinkedHashMap<>();
            params.forEach((name, p) -> {
                if (!streamed.contains(p) && !taskOwned.contains(p)) {
                    shared.put(name, p);
                }
            });
            long sharedBytes =
                    shared.values().stream().mapToLong(ParameterValues::bytes).sum();
            long largestTask = 0;
            for (Map<String, Parameter> m : perTask.values()) {
                largestTask = Math.max(
                        largestTask,
                        m.values().stream().mapToLong(ParameterValues::bytes).sum());
            }
            BufferPlan plan =
                    BufferPlan.of(options.buffers(), options.budgetBytes(), sharedBytes + largestTask, span, count);

            ParameterValues.Staging staging = new ParameterValues.Staging();
            for (Map.Entry<String, Parameter> e : shared.entrySet()) {
                ParameterValues.fill(e.getValue(), file.tensors(), keys.get(e.getKey()), staging, manager);
            }
            for (var c : ModelWeights.counters(model).entrySet()) {
                c.getValue()
                        .setNumBatchesTracked(ModelWeights.counter(file.tensors(), c.getKey(), keys.get(c.getKey())));
            }
            ExpertBuffers buffers = new ExpertBuffers(file.experts(), layers.values(), plan.buffers(), span);
            Map<Integer, ExpertLayer> byBlock = new LinkedHashMap<>();
            layers.values().forEach(l -> byBlock.put(l.block(), l));
            TaskResidency residency = new TaskResidency(
                    perTask,
                    file.tensors(),
                    file::checkUnchanged,
                    keys,
                    manager,
                    t -> buffers.pin(hotExperts(options.usage().get(t), byBlock, plan.buffers() - 2)));
            return new StreamedRuntime(file, layers, buffers, residency, plan, sharedBytes, largest, count);
        } catch (RuntimeException | IOException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Each task's own parameters: its head ({@code decoders.<task>.…}) and, with one router per task, its
     * gate in every MoE layer ({@code ….gate.<task id>.…}).
     */
    private static Map<Task, Map<String, Parameter>> taskParameters(
            MultiTaskModel model, Map<String, Parameter> params) {
        List<Task> taskList = model.config().tasks().tasks();
        List<String> gatePaths = new ArrayList<>();
        for (Map.Entry<String, Block> b : StateDict.blocks(model).entrySet()) {
            if (b.getValue() instanceof MoeLayer moe && moe.isMultiGate()) {
                gatePaths.add(b.getKey() + ".gate.");
            }
        }
        Map<Task, Map<String, Parameter>> out = new LinkedHashMap<>();
        for (int id = 0; id < taskList.size(); id++) {
            Task t = taskList.get(id);
            Map<String, Parameter> own = new LinkedHashMap<>();
            String head = "decoders." + t.id() + ".";
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                String name = e.getKey();
                boolean gate = false;
                for (String g : gatePaths) {
                    gate |= name.startsWith(g + id + ".");
                }
                if (name.startsWith(head) || gate) {
                    own.put(name, e.getValue());
                }
            }
            out.put(t, own);
        }
        return out;
    }

    /** The {@code room} most used experts of a task, from its usage (block → tokens per expert). */
    static Set<ExpertBuffers.Key> hotExperts(Map<Integer, long[]> usage, Map<Integer, ExpertLayer> byBlock, int room) {
        if (usage == null || room <= 0) {
            return Set.of();
        }
        record Use(ExpertBuffers.Key key, long tokens) {}
        List<Use> uses = new ArrayList<>();
        usage.forEach((block, counts) -> {
            ExpertLayer l = byBlock.get(block);
            if (l != null) {
                for (int e = 0; e < Math.min(counts.length, l.experts()); e++) {
                    if (counts[e] > 0) {
                        uses.add(new Use(new ExpertBuffers.Key(l, e), counts[e]));
                    }
                }
            }
        });
        uses.sort(Comparator.comparingLong(Use::tokens).reversed());
        Set<ExpertBuffers.Key> out = new LinkedHashSet<>();
        for (int i = 0; i < Math.min(room, uses.size()); i++) {
            out.add(uses.get(i).key());
        }
        return out;
    }

    @Override
    public Call begin(Task task) {
        tasks.enter(task);
        CallLog log = new CallLog();
        ExpertSource source = new StreamedExperts(layers, buffers, file.dropped(), log);
        return new Call() {
            private boolean closed;

            @Override
            public ExpertSource experts() {
                return source;
            }

            @Override
            public void awaitHead() {
                tasks.awaitHead(task);
            }

            @Override
            public List<LayerStats> layers() {
                return log.layers();
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    tasks.exit();
                }
            }
        };
    }

    @Override
    public RuntimeReport report() {
        Task current = tasks.current();
        long resident = sharedBytes + (current == null ? 0 : tasks.bytes(current));
        return new RuntimeReport(
                true,
                plan.buffers(),
                resident,
                buffers.peakHeldBytes(),
                plan.bytes(),
                largestExpert,
                experts,
                plan.budgetBytes(),
                tasks.switches(),
                tasks.switchNanos(),
                tasks.switchWaitNanos(),
                buffers.totals());
    }

    @Override
    public void close() {
        tasks.close();
        buffers.close();
        try {
            file.close();
        } catch (IOException e) {
            // read-only file: nothing is lost
        }
    }
}
