package org.m3vit.moe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.m3vit.errors.InvalidInputException;

/**
 * The routing conditions (what a router sees) by id. A new routing level is one {@link RoutingCondition}
 * subclass plus one {@link #register} line here; the layer builder and the configs find it by its id.
 */
public final class RoutingConditions {

    /** What a condition may need to know about the layer it routes for. */
    public record Params(long dim, int tasks, long taskDim, int modalities, int attributeDim, boolean multiGate) {}

    private static final Map<String, Function<Params, RoutingCondition>> BY_ID = new LinkedHashMap<>();

    static {
        register("token", p -> new TokenCondition(p.dim()));
        register("task_conditioned", RoutingConditions::taskConditioned);
        register("context", p -> new ContextCondition(p.dim()));
        register("modality", p -> new OneHotCondition(OneHotCondition.Label.MODALITY, p.modalities()));
        register("task", p -> new OneHotCondition(OneHotCondition.Label.TASK, p.tasks()));
        register("attribute", p -> new AttributeCondition(p.attributeDim(), p.dim()));
    }

    private RoutingConditions() {}

    static synchronized void register(String id, Function<Params, RoutingCondition> factory) {
        if (BY_ID.putIfAbsent(id, factory) != null) {
            throw new IllegalStateException("routing condition '" + id + "' is registered twice");
        }
    }

    public static List<String> ids() {
        return List.copyOf(BY_ID.keySet());
    }

    /** Checks an id; the error lists the known ones. */
    public static String check(String id) {
        if (id == null || !BY_ID.containsKey(id)) {
            throw InvalidInputException.field(
                    "routing",
                    "unknown routing condition '" + id + "'; expected one of " + String.join(", ", BY_ID.keySet()));
        }
        return id;
    }

    public static RoutingCondition create(String id, Params p) {
        return BY_ID.get(check(id)).apply(p);
    }

    private static RoutingCondition taskConditioned(Params p) {
        if (p.multiGate()) {
            throw InvalidInputException.field(
                    "routing",
                    "task_conditioned routing uses one shared gate fed the"
                            + " task embedding; it cannot be combined with multi_gate");
        }
        if (p.taskDim() < 1) {
            throw InvalidInputException.field(
                    "routing", "task_conditioned routing needs gate_task_specific_dim" + " >= 1, got " + p.taskDim());
        }
        return new TaskConditionedCondition(p.dim(), p.taskDim());
    }
}
