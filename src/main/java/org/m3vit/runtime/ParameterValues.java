package org.m3vit.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Collection;
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

    /** Makes {@code data} (the parameter's declared shape, C order) its values, in engine-owned memory. */
    static void fill(Parameter p, float[] data, NDManager manager) {
        p.close();
        Shape shape = ModelWeights.declaredShape(p);
        // create() wraps a Java buffer; the duplicate is engine memory the parameter can keep
        NDArray wrapped = manager.create(data, shape);
        NDArray own = wrapped.duplicate();
        wrapped.close();
        p.setInitializer((m, s, dtype) -> own);
        p.initialize(manager, DataType.FLOAT32);
    }

    /** Float32 bytes of a parameter's declared shape. */
    static long bytes(Parameter p) {
        return 4 * ModelWeights.declaredShape(p).size();
    }
}
