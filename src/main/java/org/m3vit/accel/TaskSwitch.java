package org.m3vit.accel;

import org.m3vit.config.ModelConfig;
import org.m3vit.model.FlopCounter;
import org.m3vit.task.Task;

/**
 * What switching the running task to {@code task} moves: its routers (one gate per MoE block in multi-gate
 * mode; nothing in the shared-router modes, where only f_t, computed on chip, changes) and its head. The
 * comparison is a dense multi-task model of the same width, whose task-specific weights are its head.
 * A schedule that streams every weight per image (reordered, double_buffered) loads these anyway, so for
 * it the switch adds nothing; the bytes matter to a design that keeps the routers and head resident.
 */
public record TaskSwitch(long routerBytes, long headBytes, long cycles, long denseBytes, long denseCycles) {

    public static TaskSwitch of(ModelConfig config, Task task, HardwareProfile hw) {
        FlopCounter f = new FlopCounter(config);
        long routers = 0;
        if (config.isMoe() && config.multiGate()) {
            for (int block : config.moeLayers()) {
                for (FlopCounter.Op op : f.ffnOps(block)) {
                    if (op.name().equals("gate")) {
                        routers += op.params();
                    }
                }
            }
        }
        long wb = hw.weightBytes();
        long head = FlopCounter.params(f.headOps(task)) * wb;
        long dense = FlopCounter.params(new FlopCounter(config.denseBaseline()).headOps(task)) * wb;
        return new TaskSwitch(
                routers * wb, head, hw.transferCycles(routers * wb + head), dense, hw.transferCycles(dense));
    }

    public long bytes() {
        return routerBytes + headBytes;
    }
}
