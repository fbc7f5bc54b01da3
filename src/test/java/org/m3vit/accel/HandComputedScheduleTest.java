package org.m3vit.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One MoE layer worked out by hand. The layer: a gate, then experts of D=2, H=4 on L=4 tokens with top-2,
 * E=4, queues [3, 0, 4, 1] (expert 1 empty). The profile: 4 MACs and 8 bytes per cycle, 16-bit weights and
 * activations, 200 bytes on chip, 1 pJ per MAC, 10 pJ per off-chip byte, 1 pJ per on-chip byte, and static
 * power of 1 µW at 1 MHz = 1 pJ per cycle, so every energy below is a plain sum in pJ.
 *
 * <pre>
 * gate:        8 params = 16 B → transfer ⌈16/8⌉ = 2 cycles; 32 MACs → 8 cycles; activations in 8 + out 16
 *              values = 48 B on chip
 * expert fc1:  H·D+H = 12 params = 24 B → 3 cycles; per token 8 MACs; activations (2+4)·2 = 12 B per token
 * expert fc2:  D·H+D = 10 params = 20 B → ⌈20/8⌉ = 3 cycles; per token 10 MACs; 12 B per token
 * one expert:  44 B (⌈44/8⌉ = 6 cycles as one transfer); ping-pong buffer max(24, 20) = 24 B
 * queue q:     fc1 ⌈8q/4⌉ = 2q cycles; fc2 ⌈10q/4⌉: q=3 → 8, q=4 → 10, q=1 → 3; one token: 2 + 3 = 5
 * MACs:        32 + 18·(3+4+1) = 176 in every schedule
 * queues:      k·L entries of 4 + 2 bytes = 48 B; activation working set max(24, 30 values)·2 = 60 B
 * </pre>
 */
class HandComputedScheduleTest {

    static HardwareProfile profile(long onchipBytes) {
        return new HardwareProfile("hand", 1, 4, 8, onchipBytes, 16, 16, 1, 10, 1, 1e-6);
    }

    static Workload layer(int[] queues) {
        Step gate = new Step("gate", 8, 32, 8, 16, 24, false, false);
        Step fc1 = new Step("expert_fc1", 12, 8, 2, 4, 30, false, false);
        Step fc2 = new Step("expert_fc2", 10, 10, 4, 2, 30, false, false);
        return new Workload(
                List.of(new Layer("moe", true, List.of(gate), queues)), 4, 2, queues.length, new ExpertShape(fc1, fc2));
    }

    private final HardwareProfile hw = profile(200);
    private final Workload w = layer(new int[] {3, 0, 4, 1});
    private final Accelerator a = new Accelerator(hw, w);

    @Test
    void reordered() {
        // gate: 2 + 8. Each non-empty expert: fc1 and fc2 transfers 3 + 3, then fc1 + fc2 compute:
        // e0 6 + 14, e2 6 + 18, e3 6 + 5. Stall 2 + 18 = 20, compute 8 + 37 = 45: 65 cycles.
        // Off-chip: gate 16 + 3 experts · 44 = 148 B. On-chip: 148 written into buffers + 148 of weights read
        // (16 + 3·44) + activations 48 + 24·8 = 240: 536 B. Energy 176 + 1480 + 536 + 65 = 2257 pJ.
        check(new ReorderedSchedule().run(a, w), 45, 20, 148, 536, 2257e-12);
    }

    @Test
    void doubleBuffered() {
        // Timeline (load; compute): gate 0-2; 2-10 (stall 2). The expert loads wait for the gate (10):
        // e0.fc1 10-13; 13-19 (stall 3). e0.fc2 13-16; 19-27. e2.fc1 19-22 (its buffer is free at 19); 27-35.
        // e2.fc2 27-30; 35-45. e3.fc1 35-38; 45-47. e3.fc2 45-48; 48-51 (stall 1).
        // Stall 6, compute 45: 51 cycles. Same bytes as reordered. Energy 176 + 1480 + 536 + 51 = 2243 pJ.
        check(new DoubleBufferedSchedule().run(a, w), 45, 6, 148, 536, 2243e-12);
    }

    @Test
    void allResident() {
        // gate 2 + 8; all 4 experts loaded, empty or not: 4 · (3 + 3) = 24 stall; then 8 (token, expert) pairs of
        // 5 cycles each. Stall 26, compute 48: 74 cycles. Off-chip 16 + 4·44 = 192 B. On-chip: 192 written +
        // weights read per pair 16 + 8·44 = 368 + activations 240: 800 B. Energy 176 + 1920 + 800 + 74 = 2970 pJ.
        check(new AllResidentSchedule().run(a, w), 48, 26, 192, 800, 2970e-12);
    }

    @Test
    void tokenOrderWithACacheOfThreeExperts() {
        // Cache: (200 − 60) / 44 = 3 experts, so each of the 3 non-empty experts misses once, in any token
        // order: stall 2 + 3·6 = 20, compute 8 + 8·5 = 48: 68 cycles. Off-chip 16 + 3·44 = 148 B. On-chip:
        // 148 written + 368 read + 240 activations = 756 B. Energy 176 + 1480 + 756 + 68 = 2480 pJ.
        assertEquals(3, a.tokenOrderCacheExperts(4));
        check(new TokenOrderSchedule().run(a, w), 48, 20, 148, 756, 2480e-12);
    }

    @Test
    void onchipMemoryPerSchedule() {
        assertEquals(24, a.pingPongBufferBytes());
        assertEquals(48, a.queueBytes());
        assertEquals(60, a.activationBytes());
        // double_buffered 2·24 + 48 + 60 = 156; reordered 44 + 48 + 60 = 152; all_resident 4·44 + 60 = 236 (over
        // the 200 on chip); token_order 3·44 + 60 = 192.
        assertOnchip(new DoubleBufferedSchedule(), 156, true);
        assertOnchip(new ReorderedSchedule(), 152, true);
        assertOnchip(new AllResidentSchedule(), 236, false);
        assertOnchip(new TokenOrderSchedule(), 192, true);
    }

    @Test
    void tokenOrderWithOneExpertMissesAtEveryChangeOfExpert() {
        // 80 bytes on chip: the activation space 80 − 2·24 − 48 < 0, so every op streams its activations, the
        // working set is empty, and the cache holds ⌊80 / 44⌋ = 1 expert: an LRU of one misses exactly where
        // the visiting order changes expert.
        Accelerator tight = new Accelerator(profile(80), w);
        assertEquals(0, tight.activationBytes());
        assertEquals(1, tight.tokenOrderCacheExperts(4));
        int[] order = TokenInterleaving.sequence(new int[] {3, 0, 4, 1}, 2, 4);
        int misses = 1;
        for (int i = 1; i < order.length; i++) {
            misses += order[i] != order[i - 1] ? 1 : 0;
        }
        // Off-chip: gate weights 16 + its activations (8 + 16)·2 = 48, the misses · 44, and per (token, expert)
        // pair fc1's and fc2's activations, (2 + 4)·2 = 12 each, 8 pairs: 256 + 44 · misses.
        assertEquals(
                256 + 44.0 * misses,
                new TokenOrderSchedule().run(tight, w).total().offchipBytes());
        assertTrue(misses >= 3, "each non-empty expert misses at least once");
    }

    private void assertOnchip(Schedule s, long bytes, boolean fits) {
        ScheduleResult r = s.run(a, w);
        assertEquals(bytes, r.onchipBytes(), s.name());
        assertEquals(fits, r.fits(), s.name());
    }

    private void check(ScheduleResult r, double compute, double stall, double offchip, double onchip, double joules) {
        LayerCost c = r.total();
        assertEquals(compute, c.computeCycles(), r.schedule() + " compute");
        assertEquals(stall, c.stallCycles(), r.schedule() + " stall");
        assertEquals(offchip, c.offchipBytes(), r.schedule() + " off-chip");
        assertEquals(onchip, c.onchipBytes(), r.schedule() + " on-chip");
        assertEquals(176, c.macs(), r.schedule() + " MACs");
        assertEquals(joules, Energy.of(c, hw).total(), 1e-18, r.schedule() + " energy");
        assertEquals((compute + stall) / 1e3, hw.millis(c.cycles()), 1e-12, "1 MHz: 1000 cycles per ms");
    }
}
