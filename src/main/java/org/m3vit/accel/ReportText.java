package org.m3vit.accel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The simulation report as plain-text tables (what {@code m3vit simulate} prints without --json). */
public final class ReportText {

    private static final double MB = 1e6;

    private ReportText() {}

    public static void print(SimulationReport r, PrintStream out) {
        HardwareProfile hw = r.hardware();
        Accelerator a = r.accelerator();
        out.println(r.config());
        out.printf(
                Locale.ROOT,
                "task %s, routing %s, %d image%s; hardware %s: %.0f MHz, %d MAC/cycle, %.1f B/cycle"
                        + " off chip, %.2f MB on chip, %d-bit weights, %d-bit activations%n",
                r.task().id(),
                r.routing(),
                r.images(),
                r.images() == 1 ? "" : "s",
                hw.name(),
                hw.clockMhz(),
                hw.macsPerCycle(),
                hw.offchipBytesPerCycle(),
                hw.onchipBytes() / MB,
                hw.weightBits(),
                hw.activationBits());
        out.printf(
                Locale.ROOT,
                "one expert %.3f MB (ping-pong buffer %.3f MB), queues %.3f MB, activation working"
                        + " set %.3f MB (backbone %.3f MB); token_order caches %d of %d experts%n",
                a.expertBytes() / MB,
                a.pingPongBufferBytes() / MB,
                a.queueBytes() / MB,
                a.activationBytes() / MB,
                a.backboneActivationBytes() / MB,
                a.tokenOrderCacheExperts(r.workload().experts()),
                r.workload().experts());
        out.println("activations through off-chip memory: " + spilled(r));
        out.println();
        out.println("per image, whole pathway (backbone + " + r.task().id() + " head)");
        table(r, out, false);
        out.println();
        out.println("per image, backbone only (patch embedding and blocks, no head)");
        table(r, out, true);
        out.println();
        out.println("energy split, mJ per image (whole pathway): multiply-adds, off-chip bytes, on-chip bytes, static");
        out.printf(Locale.ROOT, "%-16s %10s %10s %10s %10s%n", "schedule", "MACs", "off-chip", "on-chip", "static");
        r.schedules().forEach((name, s) -> {
            Energy e = r.energy(s.total());
            out.printf(
                    Locale.ROOT,
                    "%-16s %10.3f %10.3f %10.3f %10.3f%n",
                    name,
                    e.macJ() * 1e3,
                    e.offchipJ() * 1e3,
                    e.onchipJ() * 1e3,
                    e.staticJ() * 1e3);
        });
        out.println();
        out.println("per layer, cycles per image (compute + stall)");
        out.printf(Locale.ROOT, "%-12s", "layer");
        r.schedules().keySet().forEach(n -> out.printf(Locale.ROOT, " %24s", n));
        out.println();
        int layers = r.schedules().values().iterator().next().layers().size();
        for (int i = 0; i < layers; i++) {
            int li = i;
            out.printf(
                    Locale.ROOT,
                    "%-12s",
                    r.schedules().values().iterator().next().layers().get(i).name());
            r.schedules().values().forEach(s -> {
                LayerCost c = s.layers().get(li);
                out.printf(Locale.ROOT, " %12.0f + %9.0f", c.computeCycles(), c.stallCycles());
            });
            out.println();
        }
        out.println();
        TaskSwitch sw = r.taskSwitch();
        out.printf(
                Locale.ROOT,
                "task switch to %s: %.3f MB (routers %.3f MB + head %.3f MB), %d cycles = %.3f ms;"
                        + " a dense multi-task model reloads its head: %.3f MB, %d cycles%n",
                r.task().id(),
                sw.bytes() / MB,
                sw.routerBytes() / MB,
                sw.headBytes() / MB,
                sw.cycles(),
                hw.millis(sw.cycles()),
                sw.denseBytes() / MB,
                sw.denseCycles());
        TraceCrossCheck cc = r.crossCheck();
        if (cc != null && !cc.layers().isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "trace cross-check: %d of %d MoE layers loaded the predicted expert bytes (%d"
                            + " bytes per parameter)%n",
                    cc.matching(),
                    cc.layers().size(),
                    cc.bytesPerParam());
        }
        out.println();
        out.println("ratios");
        out.printf(
                Locale.ROOT,
                "  %-60s %6.2fx  backbone only %6.2fx%n",
                "memory: on-chip bytes, all_resident / double_buffered",
                r.memoryRatio(false),
                r.memoryRatio(true));
        for (String baseline : new String[] {SimulationReport.TOKEN_ORDER, SimulationReport.ALL_RESIDENT}) {
            out.printf(
                    Locale.ROOT,
                    "  %-60s %6.2fx  backbone only %6.2fx  without static energy %6.2fx%n",
                    "energy efficiency: images/J, double_buffered / " + baseline,
                    r.energyEfficiencyOver(baseline, false),
                    r.energyEfficiencyOver(baseline, true),
                    r.dynamicEnergyEfficiencyOver(baseline));
        }
    }

    /** The spilled ops, grouped: "qkv (12 layers)" for an op that spills everywhere, else "head.conv_3". */
    private static String spilled(SimulationReport r) {
        Map<String, List<String>> layersOfOp = new LinkedHashMap<>();
        for (String s : r.spilledOps()) {
            int dot = s.indexOf('.');
            layersOfOp
                    .computeIfAbsent(s.substring(dot + 1), k -> new ArrayList<>())
                    .add(s.substring(0, dot));
        }
        List<String> parts = new ArrayList<>();
        layersOfOp.forEach((op, layers) ->
                parts.add(layers.size() > 1 ? op + " (" + layers.size() + " layers)" : layers.get(0) + "." + op));
        return parts.isEmpty()
                ? "none (the image in, the prediction out)"
                : String.join(", ", parts) + " (and the image in, the prediction out)";
    }

    private static void table(SimulationReport r, PrintStream out, boolean backbone) {
        out.printf(
                Locale.ROOT,
                "%-16s %11s %13s %7s %12s %11s %5s %10s %9s%n",
                "schedule",
                "latency ms",
                "cycles",
                "stall %",
                "off-chip MB",
                "on-chip MB",
                "fits",
                "energy mJ",
                "images/J");
        r.schedules().forEach((name, s) -> {
            LayerCost c = backbone ? s.backbone() : s.total();
            double j = r.energy(c).total();
            out.printf(
                    Locale.ROOT,
                    "%-16s %11.3f %13.0f %7.1f %12.3f %11.3f %5s %10.3f %9.2f%n",
                    name,
                    r.hardware().millis(c.cycles()),
                    c.cycles(),
                    100 * c.stallCycles() / c.cycles(),
                    c.offchipBytes() / MB,
                    (backbone ? s.backboneOnchipBytes() : s.onchipBytes()) / MB,
                    s.fits() ? "yes" : "no",
                    j * 1e3,
                    1 / j);
        });
    }
}
