package org.m3vit.runtime;

import ai.djl.nn.Parameter;
import java.util.List;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.moe.ExpertSource;
import org.m3vit.nn.StateDict;
import org.m3vit.task.Task;

/** Every weight resident: the MoE layers use their own stacked parameters. */
final class ResidentRuntime implements ExpertRuntime {

    private static final Call CALL = new Call() {
        @Override
        public ExpertSource experts() {
            return ExpertSource.RESIDENT;
        }

        @Override
        public void awaitHead() {
            // every head is resident
        }

        @Override
        public List<LayerStats> layers() {
            return List.of();
        }

        @Override
        public void close() {
            // nothing was acquired
        }
    };

    private final long residentBytes;
    private final long expertBytes;
    private final long largestExpert;
    private final long experts;

    ResidentRuntime(MultiTaskModel model) {
        long all = 0;
        for (Parameter p : StateDict.parameters(model).values()) {
            all += ParameterValues.bytes(p);
        }
        long ex = 0;
        long largest = 0;
        long count = 0;
        for (ExpertLayer l : ExpertLayer.of(model).values()) {
            ex += l.bytes() * l.experts();
            largest = Math.max(largest, l.bytes());
            count += l.experts();
        }
        residentBytes = all;
        expertBytes = ex;
        largestExpert = largest;
        experts = count;
    }

    @Override
    public Call begin(Task task) {
        return CALL;
    }

    @Override
    public RuntimeReport report() {
        return new RuntimeReport(
                false, 0, residentBytes, expertBytes, 0, largestExpert, experts, -1, 0, 0, 0, List.of());
    }

    @Override
    public void close() {
        // the predictor owns the model's memory
    }
}
