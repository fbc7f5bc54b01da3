package org.m3vit.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Properties over random shapes, queue lengths, expert counts and profiles (seeded, so reproducible). */
class SchedulePropertiesTest {

    private static final int CASES = 300;

    /** Random queue lengths: every token picks k distinct experts uniformly. */
    static int[] queues(Random r, int experts, int k, int tokens) {
        int[] q = new int[experts];
        for (int t = 0; t < tokens; t++) {
            List<Integer> ids = new ArrayList<>();
            for (int e = 0; e < experts; e++) {
                ids.add(e);
            }
            Collections.shuffle(ids, r);
            for (int j = 0; j < k; j++) {
                q[ids.get(j)]++;
            }
        }
        return q;
    }

    static Step step(Random r, String name) {
        long in = r.nextInt(400);
        long out = r.nextInt(400);
        return new Step(
                name,
                r.nextInt(3) == 0 ? 0 : r.nextInt(5000),
                r.nextInt(60_000),
                in,
                out,
                in + out + r.nextInt(300),
                false,
                false);
    }

    /** A random pathway: a few layers of random ops, some of them MoE layers with random queues. */
    static Workload workload(
            Random r, int experts, int k, int tokens, ExpertShape shape, List<Step> steps, boolean[] moe) {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < moe.length; i++) {
            layers.add(new Layer(
                    "l" + i,
                    i < moe.length - 1,
                    List.of(steps.get(2 * i), steps.get(2 * i + 1)),
                    moe[i] ? queues(r, experts, k, tokens) : null));
        }
        return new Workload(layers, tokens, k, experts, shape);
    }

    static HardwareProfile profile(Random r) {
        int[] bits = {8, 16, 32};
        return new HardwareProfile(
                "random",
                100 + r.nextInt(400),
                1 + r.nextInt(64),
                0.5 + 64 * r.nextDouble(),
                200 + r.nextInt(200_000),
                bits[r.nextInt(3)],
                bits[r.nextInt(3)],
                r.nextDouble(),
                100 * r.nextDouble(),
                r.nextDouble(),
                r.nextDouble());
    }

    @Test
    void schedulesKeepTheirInvariants() {
        Random r = new Random(11);
        for (int c = 0; c < CASES; c++) {
            int experts = 1 + r.nextInt(32);
            int k = 1 + r.nextInt(Math.min(experts, 4));
            int tokens = 1 + r.nextInt(80);
            int d = 1 + r.nextInt(24);
            int h = 1 + r.nextInt(48);
            long footprint = 3L * tokens * d + (long) tokens * (d + h);
            ExpertShape shape = new ExpertShape(
                    new Step("expert_fc1", (long) h * d + h, (long) d * h, d, h, footprint, false, false),
                    new Step("expert_fc2", (long) d * h + d, (long) h * d + d, h, d, footprint, false, false));
            int layers = 1 + r.nextInt(5);
            List<Step> steps = new ArrayList<>();
            boolean[] moe = new boolean[layers];
            for (int i = 0; i < layers; i++) {
                steps.add(step(r, "a" + i));
                steps.add(step(r, "b" + i));
                moe[i] = r.nextBoolean();
            }
            Workload w = workload(r, experts, k, tokens, shape, steps, moe);
            HardwareProfile hw = profile(r);
            Accelerator a = new Accelerator(hw, w);
            String at = "case " + c + " (E=" + experts + ", k=" + k + ", L=" + tokens + ")";

            ScheduleResult reordered = new ReorderedSchedule().run(a, w);
            ScheduleResult doubled = new DoubleBufferedSchedule().run(a, w);
            ScheduleResult tokenOrder = new TokenOrderSchedule().run(a, w);
            ScheduleResult resident = new AllResidentSchedule().run(a, w);

            // Overlap never makes it slower, and it changes neither the work nor the traffic.
            assertTrue(doubled.total().cycles() <= reordered.total().cycles(), at);
            assertEquals(reordered.total().computeCycles(), doubled.total().computeCycles(), at);
            assertEquals(reordered.total().offchipBytes(), doubled.total().offchipBytes(), at);
            assertEquals(reordered.total().macs(), tokenOrder.total().macs(), at);

            // Reordered traffic: the non-expert weights and activations, plus each non-empty expert once.
            double expected = 0;
            for (Layer l : w.layers()) {
                for (Step s : l.steps()) {
                    expected += a.weightBytes(s) + a.activationTransferBytes(s);
                }
                if (l.isMoe()) {
                    for (int q : l.queueLengths()) {
                        if (q > 0) {
                            expected += a.expertBytes()
                                    + a.activationTransferBytes(shape.fc1().times(q))
                                    + a.activationTransferBytes(shape.fc2().times(q));
                        }
                    }
                }
            }
            assertEquals(expected, reordered.total().offchipBytes(), at);
            // Without reordering every non-empty expert is loaded at least once too, and streamed activations
            // are the same bytes whether moved per (token, expert) pair or per queue.
            assertTrue(tokenOrder.total().offchipBytes() >= reordered.total().offchipBytes(), at);
            assertTrue(resident.total().offchipBytes() >= reordered.total().offchipBytes(), at);

            // Double-buffered on-chip memory: two buffers of one expert linear, the activations, the queues.
            long twoBuffers = 2 * Math.max(shape.fc1().params(), shape.fc2().params()) * hw.weightBytes();
            long queues = (long) k * tokens * (4 + hw.activationBytes());
            assertEquals(twoBuffers + a.activationBytes() + queues, doubled.onchipBytes(), at);
            // ... whatever E is: the same shapes with another number of experts need the same.
            int otherExperts = k + r.nextInt(64);
            Workload other = workload(r, otherExperts, k, tokens, shape, steps, moe);
            assertEquals(
                    doubled.onchipBytes(),
                    new DoubleBufferedSchedule()
                            .run(new Accelerator(hw, other), other)
                            .onchipBytes(),
                    at + " vs E=" + otherExperts);
        }
    }

    @Test
    void tokenOrderIsAPermutationOfTheQueues() {
        Random r = new Random(5);
        for (int c = 0; c < CASES; c++) {
            int experts = 1 + r.nextInt(20);
            int k = 1 + r.nextInt(Math.min(experts, 4));
            int tokens = 1 + r.nextInt(60);
            int[] q = queues(r, experts, k, tokens);
            int[] order = TokenInterleaving.sequence(q, k, tokens);
            assertEquals(k * tokens, order.length);
            int[] counted = new int[experts];
            for (int t = 0; t < tokens; t++) {
                Set<Integer> distinct = new HashSet<>();
                for (int j = 0; j < k; j++) {
                    int e = order[t * k + j];
                    counted[e]++;
                    distinct.add(e);
                }
                assertEquals(k, distinct.size(), "a token's k experts are distinct");
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(q, counted);
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    order, TokenInterleaving.sequence(q, k, tokens), "deterministic");
        }
    }
}
