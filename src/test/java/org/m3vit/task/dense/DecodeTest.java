package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.Task;

/** Decoding head outputs to the saved-prediction form, against values worked out by hand. */
class DecodeTest {

    @Test
    void classMapsAreArgmaxedAndProbabilitiesTruncatedToUint8() {
        // two classes over a 1x2 image: pixel 0 prefers class 1, pixel 1 class 0
        SavedPrediction s = Task.SEMSEG.spec().decode(new HeadOutput(new float[] {0, 5, 1, 2}, 2, 1, 2), 1, 2);
        assertArrayEquals(new float[] {1, 0}, s.values(), 0f);
        // sigmoid(0) = 0.5 → 127.5 → 127; sigmoid(+inf-ish) → 255
        SavedPrediction e = Task.EDGE.spec().decode(new HeadOutput(new float[] {0, 40}, 1, 1, 2), 1, 2);
        assertArrayEquals(new float[] {127, 255}, e.values(), 0f);
        // (0, 0, 2) normalises to (0, 0, 1) → 255·(n+1)/2 = (127.5, 127.5, 255) → (127, 127, 255)
        SavedPrediction n = Task.NORMALS.spec().decode(new HeadOutput(new float[] {0, 0, 2}, 3, 1, 1), 1, 1);
        assertArrayEquals(new float[] {127, 127, 255}, n.values(), 0f);
    }
}
