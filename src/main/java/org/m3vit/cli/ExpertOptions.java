package org.m3vit.cli;

import org.m3vit.infer.Predictor;
import org.m3vit.runtime.ByteSize;
import picocli.CommandLine.Option;

/** Where a predictor keeps its experts: resident (default), or streamed through N buffers or a budget. */
final class ExpertOptions {

    @Option(
            names = "--expert-buffers",
            paramLabel = "N",
            description = "Stream the experts from the weights file through N buffers (>= 2: one computes while the"
                    + " next loads); only the shared weights and the running task's routers and head stay resident.")
    Integer buffers;

    @Option(
            names = "--memory-budget",
            paramLabel = "SIZE",
            description = "Stream the experts with as many buffers as fit in SIZE (e.g. 64MiB, 1.5GiB) next to the"
                    + " resident weights; refused, with both sizes, if two buffers do not fit.")
    String budget;

    boolean streamed() {
        return buffers != null || budget != null;
    }

    /** Applies the options to a predictor builder. */
    Predictor.Builder apply(Predictor.Builder b) {
        if (buffers != null) {
            b.expertBuffers(buffers);
        }
        if (budget != null) {
            b.memoryBudget(ByteSize.parse(budget, "--memory-budget"));
        }
        return b;
    }
}
