package org.m3vit.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import org.m3vit.io.TensorReader;
import org.m3vit.model.ModelWeights;

/**
 * Holding and releasing a parameter's values, for models whose parameters are not all resident. A released
 * parameter has no array: any use fails loudly (DJL's UninitializedParameterException) instead of
 * computing with stale or placeholder values.
 */
final class ParameterValues {

    private ParameterValues() {}

    /**
     * Initialises every parameter of a model without allocating its values, then releases them all, so that
     * the streamed predictor's memory holds only what it loads afterwards.
     */
    static void releaseAll(Collection<Parameter> params, Runnable initialize) {
        for (Parameter p : params) {
            p.setInitializer((m, shape, dtype) -> m.zeros(new Shape(0), dtype));
        }
        initialize.run();
        params.forEach(Parameter::close);
    }

    /**
     * Makes tensor {@code key} of {@code weights} the parameter's values, in engine-owned memory. The bytes
     * go through {@code staging}, a direct buffer reused from call to call, so loading a task's head
     * leaves no Java arrays or direct buffers behind for the garbage collector (whose heap growth under
     * a stream of task switches would otherwise show up as resident memory).
     */
    static void fill(Parameter p, TensorReader weights, String key, Staging staging, NDManager manager)
            throws IOException {
        p.close();
        Shape shape = ModelWeights.declaredShape(p);
        int bytes = Math.toIntExact(4 * shape.size());
        ByteBuffer b = staging.buffer(bytes);
        weights.readFloats(key, b.duplicate());
        // CPU: the view aliases the staging buffer; the duplicate is engine memory the parameter keeps
        NDArray view = manager.create(b, shape, DataType.FLOAT32);
        NDArray own = view.duplicate();
        view.close();
        p.setInitializer((m, s, dtype) -> own);
        p.initialize(manager, DataType.FLOAT32);
    }

    /** A direct buffer that grows to the largest tensor loaded through it. */
    static final class Staging {
        private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

        /** A little-endian view of {@code bytes} bytes. */
        ByteBuffer buffer(int bytes) {
            if (buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            }
            return buffer.slice(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Float32 bytes of a parameter's declared shape. */
    static long bytes(Parameter p) {
        return 4 * ModelWeights.declaredShape(p).size();
    }
}
