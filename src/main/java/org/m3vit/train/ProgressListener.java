package org.m3vit.train;

import java.util.function.Consumer;

/**
 * The human-readable side of a run: a self-overwriting status line per step (step, loss, lr, ETA) and one
 * line per epoch (losses, balancing loss, Δm, time).
 */
public final class ProgressListener implements TrainingLoopListener {

    private final Consumer<String> progress;
    private final Consumer<String> log;
    private int epochs;
    private long stepsPerEpoch;
    private long stepsAtStart;
    private long start;

    /**
     * @param progress receives the status line after every step
     * @param log receives the line of every epoch
     */
    public ProgressListener(Consumer<String> progress, Consumer<String> log) {
        this.progress = progress;
        this.log = log;
    }

    @Override
    public void onTrainingStart(TrainingStart s) {
        epochs = s.epochs();
        stepsPerEpoch = s.stepsPerEpoch();
        stepsAtStart = s.globalStep();
        start = System.nanoTime();
    }

    @Override
    public void onStep(StepEnd s) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        long done = s.globalStep() - stepsAtStart;
        double eta = elapsed / done * (stepsPerEpoch * epochs - s.globalStep());
        progress.accept(String.format(
                "epoch %d/%d step %d/%d loss %.4f lr %.3g ETA %s",
                s.epoch(), epochs, s.step(), stepsPerEpoch, s.result().totalLoss(), s.lr(), hms(eta)));
    }

    @Override
    public void onEpochEnd(EpochEnd end) {
        EpochRecord r = end.record();
        StringBuilder losses = new StringBuilder();
        r.trainLoss().forEach((t, v) -> losses.append(String.format(" %s %.4f", t, v)));
        log.accept(String.format(
                "epoch %d/%d: loss%s, aux %.4f%s (%.1fs)",
                r.epoch(),
                epochs,
                losses,
                r.auxLoss(),
                r.deltaM() != null
                        ? String.format(", Δm %.3f", r.deltaM())
                        : r.score() != null ? String.format(", score %.4f", r.score()) : "",
                r.seconds()));
    }

    private static String hms(double seconds) {
        long s = Double.isFinite(seconds) ? Math.round(seconds) : 0;
        return String.format("%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
