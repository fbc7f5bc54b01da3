package org.m3vit.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The enabled tasks of a model in reference order, with their output channels. A task's id (which
 * router it uses in multi-gate mode, which one-hot row in task-conditioned mode) is its index here.
 */
public final class TaskSet {

    private final DatasetLayout dataset;
    private final List<Task> tasks;

    public TaskSet(DatasetLayout dataset, Set<Task> enabled) {
        if (enabled.isEmpty()) {
            throw new IllegalArgumentException(
                    "task_dictionary: no task enabled; set at least one include_<task>: True");
        }
        this.dataset = dataset;
        List<Task> ordered = new ArrayList<>();
        for (Task t : Task.values()) {
            if (enabled.contains(t)) {
                ordered.add(t);
            }
        }
        this.tasks = Collections.unmodifiableList(ordered);
    }

    public static TaskSet of(DatasetLayout dataset, Task... tasks) {
        EnumSet<Task> set = EnumSet.noneOf(Task.class);
        Collections.addAll(set, tasks);
        return new TaskSet(dataset, set);
    }

    public DatasetLayout dataset() {
        return dataset;
    }

    public List<Task> tasks() {
        return tasks;
    }

    public int size() {
        return tasks.size();
    }

    public Task get(int id) {
        return tasks.get(id);
    }

    public boolean contains(Task t) {
        return tasks.contains(t);
    }

    /** The task id of {@code t}; an error naming the enabled tasks if it is not one of them. */
    public int idOf(Task t) {
        int i = tasks.indexOf(t);
        if (i < 0) {
            throw new IllegalArgumentException("task '" + t.id() + "' is not enabled in this model; enabled: " + ids());
        }
        return i;
    }

    public int channels(Task t) {
        return t.spec().outputChannels(dataset);
    }

    public List<String> ids() {
        List<String> out = new ArrayList<>();
        for (Task t : tasks) {
            out.add(t.id());
        }
        return out;
    }

    @Override
    public String toString() {
        return dataset.configName() + ids();
    }
}
