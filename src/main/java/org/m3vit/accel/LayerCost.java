package org.m3vit.accel;

import java.util.List;

/**
 * What one layer cost under one schedule (for one image, or the mean over images).
 *
 * @param computeCycles cycles the MAC array works
 * @param stallCycles cycles the MAC array waits for off-chip transfers
 * @param offchipBytes bytes moved between off-chip memory and the chip, both directions
 * @param onchipBytes bytes read or written in on-chip buffers (weights into and out of buffers, activations)
 * @param macs multiply-adds done
 */
public record LayerCost(
        String name,
        boolean backbone,
        double computeCycles,
        double stallCycles,
        double offchipBytes,
        double onchipBytes,
        double macs) {

    public double cycles() {
        return computeCycles + stallCycles;
    }

    /** The sum of some layers' costs, named {@code name}. */
    public static LayerCost sum(String name, List<LayerCost> layers) {
        double c = 0;
        double s = 0;
        double off = 0;
        double on = 0;
        double m = 0;
        boolean backbone = true;
        for (LayerCost l : layers) {
            c += l.computeCycles;
            s += l.stallCycles;
            off += l.offchipBytes;
            on += l.onchipBytes;
            m += l.macs;
            backbone &= l.backbone;
        }
        return new LayerCost(name, backbone, c, s, off, on, m);
    }

    /** This cost divided by n (a sum over n images → the mean per image). */
    public LayerCost over(double n) {
        return new LayerCost(
                name, backbone, computeCycles / n, stallCycles / n, offchipBytes / n, onchipBytes / n, macs / n);
    }
}
