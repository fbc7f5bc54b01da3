package org.m3vit.runtime;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.TensorReader;
import org.m3vit.task.Task;

/**
 * Which task's routers and head are resident. Calls of the resident task run side by side; a call of
 * another task waits until they are done, then switches: the old task's routers and head are released
 * and the new task's are read from the weights file. Nothing else moves (m3vit.md §13: switching task
 * switches routers only; in software the head comes along, since only the running task's is held).
 */
final class TaskResidency {

    private final Map<Task, Map<String, Parameter>> perTask;
    private final TensorReader weights;
    private final Map<String, String> fileKeys;
    private final NDManager manager;
    private final Consumer<Task> onSwitch;
    private Task current;
    private int active;
    private long switches;
    private long switchNanos;

    /**
     * @param perTask each task's own parameters by state-dict name
     * @param fileKeys file key by state-dict name
     * @param onSwitch runs after the switch to a task, before its first call (re-pins its hot experts)
     */
    TaskResidency(
            Map<Task, Map<String, Parameter>> perTask,
            TensorReader weights,
            Map<String, String> fileKeys,
            NDManager manager,
            Consumer<Task> onSwitch) {
        this.perTask = perTask;
        this.weights = weights;
        this.fileKeys = fileKeys;
        this.manager = manager;
        this.onSwitch = onSwitch;
    }

    /** Waits until {@code task}'s pathway is resident (switching to it if needed) and counts the call in. */
    synchronized void enter(Task task) {
        if (!perTask.containsKey(task)) {
            throw new IllegalArgumentException("task " + task.id() + " is not one of the model's " + perTask.keySet());
        }
        boolean interrupted = false;
        while (active > 0 && current != task) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (current != task) {
            switchTo(task);
        }
        active++;
    }

    /** Counts a call of the resident task out. */
    synchronized void exit() {
        active--;
        notifyAll();
    }

    private void switchTo(Task task) {
        long t0 = System.nanoTime();
        if (current != null) {
            perTask.get(current).values().forEach(Parameter::close);
        }
        current = null; // until every parameter of the new task is in
        String reading = null;
        try {
            for (Map.Entry<String, Parameter> e : perTask.get(task).entrySet()) {
                reading = fileKeys.get(e.getKey());
                ParameterValues.fill(e.getValue(), weights.floats(reading), manager);
            }
        } catch (EOFException e) {
            perTask.get(task).values().forEach(Parameter::close);
            throw InvalidInputException.file(
                    weights.path(),
                    "ends inside tensor '" + reading + "': truncated; task " + task.id()
                            + "'s routers and head cannot be loaded");
        } catch (IOException e) {
            perTask.get(task).values().forEach(Parameter::close);
            throw new UncheckedIOException(
                    "cannot read task " + task.id() + "'s routers and head from " + weights.path() + ": "
                            + e.getMessage(),
                    e);
        }
        onSwitch.accept(task);
        current = task;
        switches++;
        switchNanos += System.nanoTime() - t0;
    }

    /** Bytes of a task's own parameters. */
    long bytes(Task task) {
        return perTask.get(task).values().stream()
                .mapToLong(ParameterValues::bytes)
                .sum();
    }

    synchronized Task current() {
        return current;
    }

    synchronized long switches() {
        return switches;
    }

    synchronized long switchNanos() {
        return switchNanos;
    }
}
