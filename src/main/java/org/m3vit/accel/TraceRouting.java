package org.m3vit.accel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.model.FlopCounter;
import org.m3vit.runtime.ExpertTrace;
import org.m3vit.task.Task;

/**
 * Routing recorded by the runtime ({@link ExpertTrace}): the images of one task, checked against the config
 * (experts, top-k, tokens, MoE blocks). Where the runtime measured the expert bytes it loaded, the
 * {@link TraceCrossCheck} compares them with what the reordered schedules load for the same queues.
 */
public record TraceRouting(Routing routing, TraceCrossCheck crossCheck) {

    /** The first {@code maxImages} images of {@code task} in the trace read from {@code file}. */
    public static TraceRouting of(ExpertTrace trace, Path file, ModelConfig config, Task task, int maxImages) {
        Workload.requireMoe(config);
        Workload.requireTask(config, task);
        if (maxImages < 1) {
            throw InvalidInputException.field("images", "must be >= 1, got " + maxImages);
        }
        int tokens = config.numPatches() + 1;
        same(file, "experts", trace.experts(), config.moeExperts(), "backbone_kwargs.moe_experts");
        same(file, "top_k", trace.topK(), config.moeTopK(), "backbone_kwargs.moe_top_k");
        same(file, "tokens", trace.tokens(), tokens, "the config's tokens (img_size / 16)² + cls");
        List<Routing.Image> images = new ArrayList<>();
        List<TraceCrossCheck.Layer> measured = new ArrayList<>();
        long expertParams = FlopCounter.params(new FlopCounter(config).expertOps(1));
        Set<String> tasks = new LinkedHashSet<>();
        for (int i = 0; i < trace.images().size() && images.size() < maxImages; i++) {
            ExpertTrace.Image im = trace.images().get(i);
            tasks.add(im.task());
            if (!im.task().equals(task.id())) {
                continue;
            }
            List<Integer> blocks =
                    im.layers().stream().map(ExpertTrace.Layer::block).toList();
            if (!blocks.equals(config.moeLayers())) {
                throw bad(
                        file,
                        "images[" + i + "].layers",
                        "covers MoE blocks " + blocks + ", but the config's MoE" + " blocks are " + config.moeLayers());
            }
            int[][] q = new int[blocks.size()][];
            for (int m = 0; m < blocks.size(); m++) {
                ExpertTrace.Layer l = im.layers().get(m);
                q[m] = l.queueLengths().stream().mapToInt(Integer::intValue).toArray();
                if (l.measured()) {
                    measured.add(new TraceCrossCheck.Layer(
                            im.id(),
                            l.block(),
                            TraceCrossCheck.predictedBytes(q[m], expertParams, trace.weightBytesPerParam()),
                            l.bytesLoaded()));
                }
            }
            images.add(new Routing.Image(im.id(), q));
        }
        if (images.isEmpty()) {
            throw bad(file, "images", "has no image of task " + task.id() + " (tasks in the trace: " + tasks + ")");
        }
        return new TraceRouting(
                new Routing("trace " + file.getFileName(), images),
                new TraceCrossCheck(trace.weightBytesPerParam(), measured));
    }

    private static void same(Path file, String field, int inTrace, int inConfig, String configSide) {
        if (inTrace != inConfig) {
            throw bad(file, field, inTrace + " does not match " + configSide + " = " + inConfig);
        }
    }

    private static InvalidInputException bad(Path file, String field, String problem) {
        return new InvalidInputException(
                InvalidInputException.Kind.FILE, file.toString(), file + ": " + field + ": " + problem);
    }
}
