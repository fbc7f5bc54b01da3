package org.m3vit.accel;

import java.util.ArrayList;
import java.util.List;

/**
 * One schedule's cost: per layer, and the on-chip memory the schedule needs.
 *
 * @param onchipBytes weight storage + activation working set + token queues this schedule needs on chip
 * @param backboneOnchipBytes the same with the backbone's activation working set only (no head)
 * @param fits whether onchipBytes fits the profile's on-chip memory
 */
public record ScheduleResult(
        String schedule, List<LayerCost> layers, long onchipBytes, long backboneOnchipBytes, boolean fits) {

    public ScheduleResult {
        layers = List.copyOf(layers);
    }

    /** The per-image mean of the same schedule over several images (layer by layer). */
    public static ScheduleResult mean(List<ScheduleResult> perImage) {
        ScheduleResult first = perImage.get(0);
        List<LayerCost> layers = new ArrayList<>();
        for (int i = 0; i < first.layers().size(); i++) {
            int li = i;
            layers.add(LayerCost.sum(
                            first.layers().get(i).name(),
                            perImage.stream().map(r -> r.layers().get(li)).toList())
                    .over(perImage.size()));
        }
        boolean fits = perImage.stream().allMatch(ScheduleResult::fits);
        long onchip =
                perImage.stream().mapToLong(ScheduleResult::onchipBytes).max().orElse(0);
        long backbone = perImage.stream()
                .mapToLong(ScheduleResult::backboneOnchipBytes)
                .max()
                .orElse(0);
        return new ScheduleResult(first.schedule(), layers, onchip, backbone, fits);
    }

    public LayerCost total() {
        return LayerCost.sum("total", layers);
    }

    /** Patch embedding and blocks, without the task's head. */
    public LayerCost backbone() {
        return LayerCost.sum(
                "backbone", layers.stream().filter(LayerCost::backbone).toList());
    }
}
