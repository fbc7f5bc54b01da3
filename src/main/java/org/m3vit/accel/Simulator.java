package org.m3vit.accel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.task.Task;

/** Runs every schedule on every image of a routing and averages per image. */
public final class Simulator {

    private Simulator() {}

    /** The four schedules, in report order. */
    public static List<Schedule> schedules() {
        return List.of(
                new TokenOrderSchedule(),
                new AllResidentSchedule(),
                new ReorderedSchedule(),
                new DoubleBufferedSchedule());
    }

    /** @param crossCheck the trace's measured bytes against the prediction, or null without a measured trace */
    public static SimulationReport run(
            ModelConfig config, Task task, Routing routing, HardwareProfile hw, TraceCrossCheck crossCheck) {
        Accelerator accelerator = null;
        Map<String, List<ScheduleResult>> perImage = new LinkedHashMap<>();
        Workload first = null;
        for (Routing.Image image : routing.images()) {
            Workload w = Workload.of(config, task, image.queueLengths());
            if (accelerator == null) {
                // Buffers and the activation plan depend on shapes only, the same for every image.
                accelerator = new Accelerator(hw, w);
                first = w;
            }
            for (Schedule s : schedules()) {
                perImage.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s.run(accelerator, w));
            }
        }
        Map<String, ScheduleResult> means = new LinkedHashMap<>();
        perImage.forEach((name, results) -> means.put(name, ScheduleResult.mean(results)));
        return new SimulationReport(
                hw,
                config,
                task,
                routing.source(),
                routing.images().size(),
                accelerator,
                first,
                means,
                TaskSwitch.of(config, task, hw),
                crossCheck);
    }
}
