package org.m3vit.task;

import org.m3vit.errors.InvalidInputException;

/**
 * One image's raw output of a dense task's head: {@code channels} planes of {@code height × width} values,
 * channel-first ((C, H, W), row-major), as the network produces it.
 */
public record HeadOutput(float[] values, int channels, int height, int width) {

    public HeadOutput {
        if (channels < 1 || height < 1 || width < 1 || values.length != channels * height * width) {
            throw InvalidInputException.field(
                    "head output",
                    "has " + values.length + " values, expected " + channels + "x" + height + "x" + width);
        }
    }

    /** Values per channel (H·W). */
    public int plane() {
        return height * width;
    }

    /** An error naming {@code task} unless this output has exactly {@code expected} channels. */
    public HeadOutput requireChannels(String task, int expected) {
        if (channels != expected) {
            throw InvalidInputException.field(task + " output", "has " + channels + " channels, expected " + expected);
        }
        return this;
    }
}
