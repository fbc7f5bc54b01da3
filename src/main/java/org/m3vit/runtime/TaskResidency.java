package org.m3vit.runtime;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.TensorReader;
import org.m3vit.task.Task;

/**
 * Which task's routers and head are resident. Calls of the resident task run side by side; a call of
 * another task waits until they are done, then switches: the old task's routers and head are released,
 * the new task's routers (small, needed from the first MoE block on) are read at once, and its head is
 * read on a thread of its own while the backbone computes; the call waits for it only before the head
 * runs ({@link #awaitHead}). Nothing else moves (m3vit.md §13: switching task switches routers only; in
 * software the head comes along, since only the running task's is held).
 */
final class TaskResidency implements AutoCloseable {

    /** The head's parameters live under this state-dict prefix; every other task-owned one is a router. */
    private static final String HEADS = "decoders.";

    private final Map<Task, Map<String, Parameter>> routers = new LinkedHashMap<>();
    private final Map<Task, Map<String, Parameter>> heads = new LinkedHashMap<>();
    private final TensorReader weights;
    private final UnchangedCheck unchanged;
    private final Map<String, String> fileKeys;
    private final NDManager manager;
    private final Consumer<Task> onSwitch;
    private final ParameterValues.Staging routerStaging = new ParameterValues.Staging();
    private final ParameterValues.Staging headStaging = new ParameterValues.Staging();
    private final ExecutorService headLoader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "m3vit-head-loader");
        t.setDaemon(true);
        return t;
    });
    private Task current;
    private CompletableFuture<Void> head = CompletableFuture.completedFuture(null);
    private int active;
    private long switches;
    /** reading routers, on the calling thread */
    private long switchNanos;

    private final AtomicLong headNanos = new AtomicLong();
    private final AtomicLong headWaitNanos = new AtomicLong();

    /** Fails if the weights file changed since it was opened. */
    @FunctionalInterface
    interface UnchangedCheck {
        void check(String what) throws IOException;
    }

    /**
     * @param perTask each task's own parameters by state-dict name
     * @param unchanged checks the weights file is still the one opened, before each read
     * @param fileKeys file key by state-dict name
     * @param onSwitch runs after the switch to a task, before its first call (re-pins its hot experts)
     */
    TaskResidency(
            Map<Task, Map<String, Parameter>> perTask,
            TensorReader weights,
            UnchangedCheck unchanged,
            Map<String, String> fileKeys,
            NDManager manager,
            Consumer<Task> onSwitch) {
        perTask.forEach((t, params) -> {
            Map<String, Parameter> r = new LinkedHashMap<>();
            Map<String, Parameter> h = new LinkedHashMap<>();
            params.forEach((name, p) -> (name.startsWith(HEADS) ? h : r).put(name, p));
            routers.put(t, r);
            heads.put(t, h);
        });
        this.weights = weights;
        this.unchanged = unchanged;
        this.fileKeys = fileKeys;
        this.manager = manager;
        this.onSwitch = onSwitch;
    }

    /** Waits until {@code task}'s routers are resident (switching to it if needed) and counts the call in. */
    synchronized void enter(Task task) {
        if (!routers.containsKey(task)) {
            throw new IllegalArgumentException("task " + task.id() + " is not one of the model's " + routers.keySet());
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

    /** Waits until the head of {@code task}, the resident task of the calling call, has been read. */
    void awaitHead(Task task) {
        CompletableFuture<Void> load;
        synchronized (this) {
            load = head;
        }
        long t0 = System.nanoTime();
        try {
            load.join();
        } catch (CompletionException e) {
            synchronized (this) {
                if (head == load && current == task) {
                    current = null; // the next call of any task reloads it
                    heads.get(task).values().forEach(Parameter::close);
                }
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        } finally {
            headWaitNanos.addAndGet(System.nanoTime() - t0);
        }
    }

    private void switchTo(Task task) {
        long t0 = System.nanoTime();
        try {
            head.join(); // a previous head load nobody waited for must not race with this switch
        } catch (CompletionException e) {
            // its task is being switched away from: its failure no longer matters
        }
        if (current != null) {
            routers.get(current).values().forEach(Parameter::close);
            heads.get(current).values().forEach(Parameter::close);
        }
        current = null; // until the new task's routers are in
        load(task, routers.get(task), routerStaging);
        onSwitch.accept(task);
        current = task;
        switches++;
        switchNanos += System.nanoTime() - t0;
        Map<String, Parameter> h = heads.get(task);
        head = CompletableFuture.runAsync(
                () -> {
                    long t1 = System.nanoTime();
                    try {
                        load(task, h, headStaging);
                    } finally {
                        headNanos.addAndGet(System.nanoTime() - t1);
                    }
                },
                headLoader);
    }

    /** Reads {@code params} from the weights file; on failure they are released again. */
    private void load(Task task, Map<String, Parameter> params, ParameterValues.Staging staging) {
        String reading = null;
        try {
            unchanged.check("task " + task.id() + "'s routers and head");
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                reading = fileKeys.get(e.getKey());
                ParameterValues.fill(e.getValue(), weights, reading, staging, manager);
            }
        } catch (EOFException e) {
            params.values().forEach(Parameter::close);
            throw InvalidInputException.file(
                    weights.path(),
                    "ends inside tensor '" + reading + "': truncated; task " + task.id()
                            + "'s routers and head cannot be loaded");
        } catch (IOException e) {
            params.values().forEach(Parameter::close);
            throw new UncheckedIOException(
                    "cannot read task " + task.id() + "'s routers and head from " + weights.path() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Bytes of a task's own parameters (routers and head). */
    long bytes(Task task) {
        return routers.get(task).values().stream()
                        .mapToLong(ParameterValues::bytes)
                        .sum()
                + heads.get(task).values().stream()
                        .mapToLong(ParameterValues::bytes)
                        .sum();
    }

    synchronized Task current() {
        return current;
    }

    synchronized long switches() {
        return switches;
    }

    /** Time spent reading routers and heads for switches (on the calling thread and the head loader). */
    synchronized long switchNanos() {
        return switchNanos + headNanos.get();
    }

    /**
     * Time calls were held up by switches: reading routers before their backbone, and waiting for a head
     * the backbone did not hide.
     */
    synchronized long switchWaitNanos() {
        return switchNanos + headWaitNanos.get();
    }

    @Override
    public void close() {
        headLoader.shutdownNow();
    }
}
