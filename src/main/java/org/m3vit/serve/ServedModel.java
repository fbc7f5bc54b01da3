package org.m3vit.serve;

import java.util.List;
import org.m3vit.config.ModelConfig;
import org.m3vit.task.Task;

/**
 * One served model and its loading state. Until it is {@link #ready()}, only its name is known; the
 * runner, tasks and shapes exist once the weights are loaded.
 */
public final class ServedModel {

    enum State {
        LOADING,
        READY,
        FAILED
    }

    private final String name;
    private volatile State state = State.LOADING;
    private volatile ModelRunner runner;
    private volatile Throwable failure;

    ServedModel(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public boolean ready() {
        return state == State.READY;
    }

    State state() {
        return state;
    }

    Throwable failure() {
        return failure;
    }

    void loaded(ModelRunner r) {
        runner = r;
        state = State.READY;
    }

    void failed(Throwable t) {
        failure = t;
        state = State.FAILED;
    }

    /** The runner; a 503 if the weights are not loaded (yet). */
    ModelRunner runner() {
        ModelRunner r = runner;
        if (state != State.READY || r == null) {
            throw ServeException.unavailable(
                    state == State.FAILED
                            ? "model '" + name + "' failed to load: "
                                    + (failure.getMessage() == null ? failure : failure.getMessage())
                            : "model '" + name + "' is still loading its weights",
                    state == State.FAILED ? 0 : 1);
        }
        return r;
    }

    ModelConfig config() {
        return runner().config();
    }

    /** The model's tasks in the reference order. */
    public List<Task> tasks() {
        return config().tasks().tasks();
    }

    int channels(Task t) {
        return config().tasks().channels(t);
    }

    /** Values of one normalised input image: C·H·W. */
    int imageElements() {
        ModelConfig c = config();
        return c.inChans() * c.imgHeight() * c.imgWidth();
    }

    void close() {
        ModelRunner r = runner;
        if (r != null) {
            r.close();
        }
    }
}
