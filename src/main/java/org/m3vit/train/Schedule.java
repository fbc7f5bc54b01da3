package org.m3vit.train;

/** Learning-rate schedules. Positions are counted in optimizer steps from 0. */
public interface Schedule {

    float lr(long step);

    /**
     * The reference's poly schedule, lr = lr0 · (1 − epoch/epochs)^0.9, updated once per epoch
     * (every step of an epoch uses that epoch's value).
     */
    static Schedule poly(float lr0, int epochs, long stepsPerEpoch, double power) {
        return step -> {
            long epoch = step / stepsPerEpoch;
            return (float) (lr0 * Math.pow(Math.max(0.0, 1.0 - (double) epoch / epochs), power));
        };
    }

    /** Linear warm-up from 0 over {@code warmup} steps, then cosine from lr0 down to {@code lrMin}. */
    static Schedule cosine(float lr0, float lrMin, long totalSteps, long warmup) {
        return step -> {
            if (step < warmup) {
                return lr0 * (step + 1) / (float) warmup;
            }
            double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, totalSteps - warmup));
            return (float) (lrMin + 0.5 * (lr0 - lrMin) * (1 + Math.cos(Math.PI * progress)));
        };
    }

    /** The schedule a config names, with the reference's parameters (poly power 0.9; cosine down to 0). */
    static Schedule of(ScheduleKind kind, float lr0, int epochs, long stepsPerEpoch, long warmupSteps) {
        return switch (kind) {
            case POLY -> poly(lr0, epochs, stepsPerEpoch, 0.9);
            case COSINE -> cosine(lr0, 0f, (long) epochs * stepsPerEpoch, warmupSteps);
        };
    }
}
