package org.m3vit.accel;

import java.util.ArrayList;
import java.util.List;

/** A way to order an image's work and weight transfers on the accelerator. */
public interface Schedule {

    /** The name in reports and JSON: token_order, all_resident, reordered, double_buffered. */
    String name();

    ScheduleResult run(Accelerator a, Workload w);

    /** On-chip bytes this schedule needs besides the activations: weight storage and token queues. */
    long storageBytes(Accelerator a, Workload w);

    /** The result of a run: on-chip needs are storage plus the activation working set (whole, backbone-only). */
    static ScheduleResult result(Schedule s, Accelerator a, Workload w, List<LayerCost> layers) {
        long storage = s.storageBytes(a, w);
        long onchip = storage + a.activationBytes();
        return new ScheduleResult(
                s.name(),
                layers,
                onchip,
                storage + a.backboneActivationBytes(),
                onchip <= a.hardware().onchipBytes());
    }

    /** Runs every layer with {@code moe} for the MoE experts and the serial load-then-compute for every op. */
    static ScheduleResult serial(Schedule s, Accelerator a, Workload w, ExpertPass moe) {
        List<LayerCost> layers = new ArrayList<>();
        for (Layer l : w.layers()) {
            Tally t = new Tally(a);
            l.steps().forEach(t::serial);
            if (l.isMoe()) {
                moe.run(a, w, l, t);
            }
            layers.add(t.finish(l));
        }
        return result(s, a, w, layers);
    }

    /** How a serial schedule runs the experts of one MoE layer, after the layer's other ops. */
    @FunctionalInterface
    interface ExpertPass {
        void run(Accelerator a, Workload w, Layer layer, Tally t);
    }
}
