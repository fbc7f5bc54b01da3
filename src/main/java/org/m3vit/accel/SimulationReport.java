package org.m3vit.accel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.m3vit.config.ModelConfig;
import org.m3vit.task.Task;

/**
 * The simulation's outcome: for each schedule, the per-image mean cost of every layer, with the on-chip memory
 * it needs; the task-switch cost; the ratios that correspond to M³ViT's claims.
 *
 * @param workload the first image's workload (shapes; its queue lengths are one image's)
 */
public record SimulationReport(
        HardwareProfile hardware,
        ModelConfig config,
        Task task,
        String routing,
        int images,
        Accelerator accelerator,
        Workload workload,
        Map<String, ScheduleResult> schedules,
        TaskSwitch taskSwitch,
        TraceCrossCheck crossCheck) {

    public static final String TOKEN_ORDER = "token_order";
    public static final String ALL_RESIDENT = "all_resident";
    public static final String REORDERED = "reordered";
    public static final String DOUBLE_BUFFERED = "double_buffered";

    public ScheduleResult schedule(String name) {
        ScheduleResult r = schedules.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no schedule " + name);
        }
        return r;
    }

    public Energy energy(LayerCost c) {
        return Energy.of(c, hardware);
    }

    /** On-chip memory a design without reordering needs over the double-buffered design's (paper: "memory"). */
    public double memoryRatio(boolean backboneOnly) {
        return backboneOnly
                ? (double) schedule(ALL_RESIDENT).backboneOnchipBytes()
                        / schedule(DOUBLE_BUFFERED).backboneOnchipBytes()
                : (double) schedule(ALL_RESIDENT).onchipBytes()
                        / schedule(DOUBLE_BUFFERED).onchipBytes();
    }

    /** Images per joule of double_buffered over those of {@code baseline}, whole pathway or backbone only. */
    public double energyEfficiencyOver(String baseline, boolean backboneOnly) {
        return joules(baseline, backboneOnly) / joules(DOUBLE_BUFFERED, backboneOnly);
    }

    /**
     * The same ratio without static energy (whole pathway): what the schedules change in the energy spent on
     * work and traffic, free of the static-power assumption, which dominates at this MAC array size.
     */
    public double dynamicEnergyEfficiencyOver(String baseline) {
        return dynamicJoules(baseline) / dynamicJoules(DOUBLE_BUFFERED);
    }

    private double dynamicJoules(String schedule) {
        Energy e = energy(schedule(schedule).total());
        return e.total() - e.staticJ();
    }

    private double joules(String schedule, boolean backboneOnly) {
        ScheduleResult r = schedule(schedule);
        return energy(backboneOnly ? r.backbone() : r.total()).total();
    }

    /** Names ("layer.op") of the ops whose activations do not fit on chip and stream through off-chip memory. */
    public List<String> spilledOps() {
        Set<String> names = new LinkedHashSet<>();
        for (Layer l : workload.layers()) {
            for (Step s : l.steps()) {
                if (accelerator.spills(s)) {
                    names.add(l.name() + "." + s.name());
                }
            }
        }
        for (Step s : List.of(workload.expert().fc1(), workload.expert().fc2())) {
            if (accelerator.spills(s)) {
                names.add("experts." + s.name());
            }
        }
        return new ArrayList<>(names);
    }

    /** The {@code --json} object: hardware, model, schedules, task_switch, ratios (and trace_cross_check). */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hardware", hardware.toMap());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("config", config.toString());
        model.put("task", task.id());
        model.put("tokens", workload.tokens());
        model.put("experts", workload.experts());
        model.put("top_k", workload.topK());
        model.put("moe_blocks", config.moeLayers());
        model.put("expert_bytes", accelerator.expertBytes());
        model.put("ping_pong_buffer_bytes", accelerator.pingPongBufferBytes());
        model.put("queue_bytes", accelerator.queueBytes());
        model.put("activation_bytes", accelerator.activationBytes());
        model.put("backbone_activation_bytes", accelerator.backboneActivationBytes());
        model.put("activations_spilled", spilledOps());
        model.put("token_order_cache_experts", accelerator.tokenOrderCacheExperts(workload.experts()));
        model.put("routing", routing);
        model.put("images", images);
        out.put("model", model);
        Map<String, Object> schedulesJson = new LinkedHashMap<>();
        schedules.forEach((name, r) -> schedulesJson.put(name, scheduleJson(r)));
        out.put("schedules", schedulesJson);
        Map<String, Object> sw = new LinkedHashMap<>();
        sw.put("bytes", taskSwitch.bytes());
        sw.put("cycles", taskSwitch.cycles());
        sw.put("ms", hardware.millis(taskSwitch.cycles()));
        sw.put("router_bytes", taskSwitch.routerBytes());
        sw.put("head_bytes", taskSwitch.headBytes());
        sw.put("dense_multi_task_bytes", taskSwitch.denseBytes());
        sw.put("dense_multi_task_cycles", taskSwitch.denseCycles());
        out.put("task_switch", sw);
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratios.put("memory_all_resident_over_double_buffered", memoryRatio(false));
        ratios.put("backbone_memory_all_resident_over_double_buffered", memoryRatio(true));
        ratios.put("energy_efficiency_double_buffered_over_token_order", energyEfficiencyOver(TOKEN_ORDER, false));
        ratios.put("energy_efficiency_double_buffered_over_all_resident", energyEfficiencyOver(ALL_RESIDENT, false));
        ratios.put(
                "backbone_energy_efficiency_double_buffered_over_token_order", energyEfficiencyOver(TOKEN_ORDER, true));
        ratios.put(
                "backbone_energy_efficiency_double_buffered_over_all_resident",
                energyEfficiencyOver(ALL_RESIDENT, true));
        ratios.put(
                "dynamic_energy_efficiency_double_buffered_over_token_order", dynamicEnergyEfficiencyOver(TOKEN_ORDER));
        ratios.put(
                "dynamic_energy_efficiency_double_buffered_over_all_resident",
                dynamicEnergyEfficiencyOver(ALL_RESIDENT));
        ratios.put(
                "latency_reordered_over_double_buffered",
                schedule(REORDERED).total().cycles()
                        / schedule(DOUBLE_BUFFERED).total().cycles());
        out.put("ratios", ratios);
        if (crossCheck != null && !crossCheck.layers().isEmpty()) {
            Map<String, Object> cc = new LinkedHashMap<>();
            cc.put("weight_bytes_per_param", crossCheck.bytesPerParam());
            cc.put("layers_compared", crossCheck.layers().size());
            cc.put("layers_matching", crossCheck.matching());
            List<Object> mismatches = new ArrayList<>();
            for (TraceCrossCheck.Layer l : crossCheck.layers()) {
                if (!l.matches()) {
                    Map<String, Object> lm = new LinkedHashMap<>();
                    lm.put("image", l.image());
                    lm.put("block", l.block());
                    lm.put("predicted_bytes", l.predictedBytes());
                    lm.put("measured_bytes", l.measuredBytes());
                    mismatches.add(lm);
                }
            }
            cc.put("mismatches", mismatches);
            out.put("trace_cross_check", cc);
        }
        return out;
    }

    private Map<String, Object> scheduleJson(ScheduleResult r) {
        Map<String, Object> m = costJson(r.total());
        m.put("onchip_bytes", r.onchipBytes());
        m.put("fits", r.fits());
        Energy e = energy(r.total());
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("mac", e.macJ());
        split.put("offchip", e.offchipJ());
        split.put("onchip", e.onchipJ());
        split.put("static", e.staticJ());
        m.put("energy_split_j", split);
        Map<String, Object> backbone = costJson(r.backbone());
        backbone.put("onchip_bytes", r.backboneOnchipBytes());
        m.put("backbone", backbone);
        List<Object> layers = new ArrayList<>();
        for (LayerCost l : r.layers()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("name", l.name());
            lm.put("latency_cycles", number(l.cycles()));
            lm.put("compute_cycles", number(l.computeCycles()));
            lm.put("stall_cycles", number(l.stallCycles()));
            lm.put("latency_ms", hardware.millis(l.cycles()));
            lm.put("offchip_bytes", number(l.offchipBytes()));
            layers.add(lm);
        }
        m.put("layers", layers);
        return m;
    }

    private Map<String, Object> costJson(LayerCost c) {
        Map<String, Object> m = new LinkedHashMap<>();
        double joules = energy(c).total();
        m.put("latency_ms", hardware.millis(c.cycles()));
        m.put("latency_cycles", number(c.cycles()));
        m.put("compute_cycles", number(c.computeCycles()));
        m.put("stall_cycles", number(c.stallCycles()));
        m.put("stall_fraction", c.cycles() == 0 ? 0.0 : c.stallCycles() / c.cycles());
        m.put("offchip_bytes", number(c.offchipBytes()));
        m.put("energy_j", joules);
        m.put("images_per_j", 1 / joules);
        return m;
    }

    /** Whole numbers as integers (means over images may be fractional). */
    private static Object number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v;
    }
}
