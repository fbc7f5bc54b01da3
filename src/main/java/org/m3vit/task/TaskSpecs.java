package org.m3vit.task;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.m3vit.errors.InvalidInputException;

/**
 * The registry of task specs, by id. A spec registers with one line naming its class in
 * {@code META-INF/services/org.m3vit.task.TaskSpec} (a {@link ServiceLoader} file), so this package
 * needs no compile-time knowledge of the implementations, which live in packages that depend on it.
 */
public final class TaskSpecs {

    private TaskSpecs() {}

    /** Loaded on first use, once; the class loader that loaded this class finds the service files. */
    private static final class Loaded {
        static final Map<String, TaskSpec> BY_ID =
                index(ServiceLoader.load(TaskSpec.class, TaskSpecs.class.getClassLoader()));
    }

    /** Every registered spec, in registration order. */
    public static Collection<TaskSpec> all() {
        return Collections.unmodifiableCollection(Loaded.BY_ID.values());
    }

    public static Optional<TaskSpec> find(String id) {
        return Optional.ofNullable(Loaded.BY_ID.get(id));
    }

    /** The spec registered as {@code id}; an error naming the registered ids if there is none. */
    public static TaskSpec get(String id) {
        TaskSpec s = Loaded.BY_ID.get(id);
        if (s == null) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.FIELD,
                    "task",
                    "unknown task '" + id + "'; expected one of " + String.join(", ", Loaded.BY_ID.keySet()));
        }
        return s;
    }

    /** The spec registered as {@code id}, which must be of {@code kind} (e.g. {@link DenseTaskSpec}). */
    public static <S extends TaskSpec> S get(String id, Class<S> kind) {
        TaskSpec s = get(id);
        if (!kind.isInstance(s)) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.FIELD, "task", "task '" + id + "' is not a " + kind.getSimpleName());
        }
        return kind.cast(s);
    }

    /**
     * The spec of a built-in dense task. Its absence is a broken build (a missing service entry), not bad
     * input, hence the different exception.
     */
    static DenseTaskSpec dense(Task task) {
        TaskSpec s = Loaded.BY_ID.get(task.id());
        if (!(s instanceof DenseTaskSpec d)) {
            throw new IllegalStateException("no dense task spec registered for " + task.id() + " (META-INF/services/"
                    + TaskSpec.class.getName() + ")");
        }
        return d;
    }

    /** Specs by id; two specs claiming one id are a broken build. */
    static Map<String, TaskSpec> index(Iterable<? extends TaskSpec> specs) {
        Map<String, TaskSpec> out = new LinkedHashMap<>();
        for (TaskSpec s : specs) {
            TaskSpec before = out.putIfAbsent(s.id(), s);
            if (before != null) {
                throw new IllegalStateException("task '" + s.id() + "' is registered twice: "
                        + before.getClass().getName() + " and " + s.getClass().getName());
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
