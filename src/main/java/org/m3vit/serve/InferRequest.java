package org.m3vit.serve;

import java.util.List;

/**
 * A parsed {@code $inference_request} of the Open Inference Protocol (KServe v2), with the m3vit
 * parameters: {@code parameters.task} (one task id, a list, or "all"), {@code parameters.output}
 * ("fp32", the default, or "png") and the binary extension's {@code binary_data_output}.
 *
 * @param id the request id to echo, or null
 * @param tasks the ids of {@code parameters.task}, or null when absent
 * @param outputs the requested outputs, or null when absent (all)
 */
record InferRequest(
        String id,
        List<InputTensor> inputs,
        List<String> tasks,
        OutputFormat format,
        boolean binaryDataOutput,
        List<RequestedOutput> outputs) {

    /** An {@code outputs[i]}: the tensor (task) name, and its {@code binary_data} parameter or null. */
    record RequestedOutput(String name, Boolean binaryData) {}

    enum OutputFormat {
        FP32,
        PNG
    }
}
