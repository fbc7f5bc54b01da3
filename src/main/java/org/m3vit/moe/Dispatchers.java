package org.m3vit.moe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.m3vit.errors.InvalidInputException;

/**
 * The dispatchers by id. A new dispatcher is one class plus one {@link #register} line here; configs,
 * the layer builder and the benchmark find it by its id.
 */
public final class Dispatchers {

    private static final Map<String, Function<CapacityPolicy, Dispatcher>> BY_ID = new LinkedHashMap<>();

    static {
        register(ReorderedDispatcher.ID, ReorderedDispatcher::new);
        register(DenseDispatcher.ID, DenseDispatcher::new);
    }

    private Dispatchers() {}

    /** The id of M³ViT's computation-reordering dispatcher, the default. */
    public static final String REORDERED = ReorderedDispatcher.ID;

    /** The id of the every-expert-on-every-token reference dispatcher. */
    public static final String DENSE = DenseDispatcher.ID;

    static synchronized void register(String id, Function<CapacityPolicy, Dispatcher> factory) {
        if (BY_ID.putIfAbsent(id, factory) != null) {
            throw new IllegalStateException("dispatcher '" + id + "' is registered twice");
        }
    }

    public static List<String> ids() {
        return List.copyOf(BY_ID.keySet());
    }

    /** Checks an id; the error lists the known ones. */
    public static String check(String id) {
        if (id == null || !BY_ID.containsKey(id)) {
            throw InvalidInputException.field(
                    "dispatch",
                    "unknown dispatch mode '" + id + "'; expected one of " + String.join(", ", BY_ID.keySet()));
        }
        return id;
    }

    /**
     * How the reordered dispatcher runs a layer call with these queue lengths, the resident weights and no
     * capacity limit: {@code "batched"} (every expert in one batched GEMM pair on padded queues) or
     * {@code "one_by_one"}.
     */
    public static String reorderedPath(long[] queueLengths) {
        return PaddedQueues.plan(queueLengths, Long.MAX_VALUE, ReorderedDispatcher.MAX_BATCHED_ROWS) != null
                ? "batched"
                : "one_by_one";
    }

    public static Dispatcher create(String id, CapacityPolicy capacity) {
        return BY_ID.get(check(id)).apply(capacity);
    }
}
