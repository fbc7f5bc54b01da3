package org.m3vit.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.task.Task;

/**
 * The served models by name. Weights load one after another on a background thread ({@link #loadAll}),
 * so the server can answer liveness at once and readiness when all are in memory. A model name in a URL
 * may also be {@code {model}-{task}}, which selects that task's pathway ({@link #resolve}).
 */
final class ModelRegistry {

    /** A model and the task its URL name selected, or null for none. */
    record Target(ServedModel model, Task task, String requestedName) {}

    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final Map<String, ModelSpec> specs = new LinkedHashMap<>();
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    ModelRegistry(List<ModelSpec> list) {
        if (list.isEmpty()) {
            throw InvalidInputException.field("models", "no model to serve");
        }
        for (ModelSpec s : list) {
            if (specs.putIfAbsent(s.name(), s) != null) {
                throw InvalidInputException.field(
                        "name",
                        "model name '" + s.name() + "' is given twice; give each" + " weights file its own name");
            }
            models.put(s.name(), new ServedModel(s.name()));
        }
    }

    /**
     * Loads every model in order on a new thread; {@code onLoaded} is called for each one loaded. The first
     * failure stops the loading and fails {@link #loaded()}.
     */
    void loadAll(Consumer<ServedModel> onLoaded) {
        Thread t = new Thread(
                () -> {
                    for (ServedModel m : models.values()) {
                        try {
                            m.loaded(specs.get(m.name()).loader().load());
                            onLoaded.accept(m);
                        } catch (Throwable e) {
                            m.failed(e);
                            loaded.completeExceptionally(e);
                            return;
                        }
                    }
                    loaded.complete(null);
                },
                "m3vit-model-loader");
        t.setDaemon(true);
        t.start();
    }

    /** Completes when every model is loaded, exceptionally with the first load failure. */
    CompletableFuture<Void> loaded() {
        return loaded;
    }

    boolean ready() {
        return models.values().stream().allMatch(ServedModel::ready);
    }

    List<ServedModel> all() {
        return new ArrayList<>(models.values());
    }

    /**
     * The model a URL names: the exact name, else {@code {model}-{task}} for a served model and one of its
     * task ids. Unknown names are a 404 that lists the served models.
     */
    Target resolve(String name) {
        ServedModel exact = models.get(name);
        if (exact != null) {
            return new Target(exact, null, name);
        }
        int dash = name.lastIndexOf('-');
        if (dash > 0) {
            ServedModel base = models.get(name.substring(0, dash));
            String taskId = name.substring(dash + 1);
            if (base != null) {
                Task t = knownTask(taskId);
                if (t == null || (base.ready() && !base.tasks().contains(t))) {
                    throw ServeException.notFound("model '" + base.name() + "' has no task '" + taskId + "'"
                            + (base.ready() ? "; its tasks: " + ids(base.tasks()) : ""));
                }
                return new Target(base, t, name);
            }
        }
        throw ServeException.notFound("no model named '" + name + "'; served: " + String.join(", ", models.keySet()));
    }

    static Task knownTask(String id) {
        for (Task t : Task.values()) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        return null;
    }

    static List<String> ids(List<Task> tasks) {
        return tasks.stream().map(Task::id).toList();
    }

    void close() {
        models.values().forEach(ServedModel::close);
    }
}
