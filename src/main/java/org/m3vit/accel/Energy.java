package org.m3vit.accel;

/**
 * Energy of some work, in joules: multiply-adds, off-chip bytes and on-chip bytes at the profile's per-operation
 * costs, plus static power over the time it takes.
 */
public record Energy(double macJ, double offchipJ, double onchipJ, double staticJ) {

    public static Energy of(LayerCost c, HardwareProfile hw) {
        return new Energy(
                c.macs() * hw.macPj() * 1e-12,
                c.offchipBytes() * hw.offchipPjPerByte() * 1e-12,
                c.onchipBytes() * hw.onchipPjPerByte() * 1e-12,
                hw.staticPowerW() * c.cycles() / hw.clockHz());
    }

    public double total() {
        return macJ + offchipJ + onchipJ + staticJ;
    }
}
