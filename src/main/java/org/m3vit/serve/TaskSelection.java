package org.m3vit.serve;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.task.Task;

/**
 * Which tasks a request runs, from the three places that may say so: the model name in the URL
 * ({@code {model}-{task}}), {@code parameters.task} (a task, a list, or "all") and the requested
 * {@code outputs} (each named by its task). Absent all three, every task of the model. When several are
 * given they must agree. A task the model does not have is a 404 (like an unknown model); contradictory
 * choices are a 400.
 */
final class TaskSelection {

    static final String ALL = "all";

    private TaskSelection() {}

    /** The tasks to run, in the model's order; never empty. */
    static List<Task> resolve(ServedModel model, Task fromPath, InferRequest r) {
        List<Task> modelTasks = model.tasks();
        Set<Task> chosen = null;
        if (fromPath != null) {
            chosen = Set.of(fromPath);
        }
        if (r.tasks() != null) {
            Set<Task> fromParam = new LinkedHashSet<>();
            for (String id : r.tasks()) {
                if (ALL.equals(id)) {
                    fromParam.addAll(modelTasks);
                } else {
                    fromParam.add(task(model, id, "parameters.task"));
                }
            }
            if (chosen != null && !chosen.equals(fromParam)) {
                throw InvalidInputException.field(
                        "parameters.task",
                        "asks for " + ids(fromParam) + " but the model" + " name '" + model.name() + "-" + fromPath.id()
                                + "' selects " + fromPath.id());
            }
            chosen = fromParam;
        }
        if (r.outputs() != null && !r.outputs().isEmpty()) {
            Set<Task> fromOutputs = new LinkedHashSet<>();
            for (int i = 0; i < r.outputs().size(); i++) {
                Task t = task(model, r.outputs().get(i).name(), "outputs[" + i + "].name");
                if (chosen != null && !chosen.contains(t)) {
                    throw InvalidInputException.field(
                            "outputs[" + i + "].name",
                            "asks for " + t.id() + ", which is" + " not among the tasks requested: " + ids(chosen));
                }
                fromOutputs.add(t);
            }
            chosen = fromOutputs;
        }
        if (chosen == null) {
            return modelTasks;
        }
        List<Task> out = new ArrayList<>();
        for (Task t : modelTasks) {
            if (chosen.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    private static Task task(ServedModel model, String id, String field) {
        Task t = ModelRegistry.knownTask(id);
        if (t == null || !model.tasks().contains(t)) {
            throw ServeException.notFound(field + ": model '" + model.name() + "' has no task '" + id + "'; its tasks: "
                    + ModelRegistry.ids(model.tasks()) + " (or \"" + ALL + "\")");
        }
        return t;
    }

    /** The label of a task list in metrics: the ids joined by '+', or "all". */
    static String label(List<Task> tasks, List<Task> modelTasks) {
        if (tasks.equals(modelTasks) && tasks.size() > 1) {
            return ALL;
        }
        return String.join("+", ModelRegistry.ids(tasks));
    }

    private static List<String> ids(Set<Task> tasks) {
        return tasks.stream().map(Task::id).toList();
    }
}
