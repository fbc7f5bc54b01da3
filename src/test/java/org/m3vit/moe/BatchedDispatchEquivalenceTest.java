package org.m3vit.moe;

/** Every case of {@link DispatchEquivalenceTest} with all experts in one batched GEMM pair on padded queues. */
class BatchedDispatchEquivalenceTest extends DispatchEquivalenceTest {

    @Override
    String reordered() {
        return BATCHED;
    }
}
