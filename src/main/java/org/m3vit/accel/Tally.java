package org.m3vit.accel;

/** Accumulates one layer's cost while a schedule walks it. */
final class Tally {

    private final Accelerator a;
    private long compute;
    private long stall;
    private long offchip;
    private long onchip;
    private long macs;

    Tally(Accelerator a) {
        this.a = a;
    }

    /** The serial schedules' way to run an op: move its weights and spilled activations, then compute. */
    void serial(Step s) {
        waitFor(a.weightBytes(s) + a.activationTransferBytes(s));
        work(s, a.weightBytes(s));
    }

    /** The array idles while {@code bytes} move. */
    void waitFor(long bytes) {
        stall += a.hardware().transferCycles(bytes);
        moved(bytes);
    }

    /** Bytes that cross the chip boundary; each is also written into (or read out of) an on-chip buffer. */
    void moved(long bytes) {
        offchip += bytes;
        onchip += bytes;
    }

    /** The array does the op, reading {@code weightBytesRead} of weights from its buffer; its cycles count too. */
    void work(Step s, long weightBytesRead) {
        compute += a.hardware().computeCycles(s.macs());
        energyOfWork(s, weightBytesRead);
    }

    /** Only the energy side of doing the op (the double-buffered schedule counts its cycles per chunk). */
    void energyOfWork(Step s, long weightBytesRead) {
        macs += s.macs();
        onchip += weightBytesRead + a.activationAccessBytes(s);
    }

    void addCompute(long cycles) {
        compute += cycles;
    }

    void addStall(long cycles) {
        stall += cycles;
    }

    LayerCost finish(Layer l) {
        return new LayerCost(l.name(), l.backbone(), compute, stall, offchip, onchip, macs);
    }
}
