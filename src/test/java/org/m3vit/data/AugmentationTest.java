package org.m3vit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

class AugmentationTest {

    private static final int H = 24;
    private static final int W = 32;

    /** A NYUD-like sample: constant depth 3 m, normals (1,0,0) on the left half and (0,0,1) on the right. */
    private static RawSample nyud() {
        float[] img = new float[H * W * 3];
        for (int i = 0; i < img.length; i++) {
            img[i] = (i * 37) % 256;
        }
        Map<Task, float[]> t = new EnumMap<>(Task.class);
        float[] seg = new float[H * W];
        float[] depth = new float[H * W];
        float[] normals = new float[H * W * 3];
        float[] edge = new float[H * W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int p = y * W + x;
                seg[p] = x < W / 2 ? 3 : (y < 2 ? Task.IGNORE : 39);
                depth[p] = 3f;
                normals[3 * p + (x < W / 2 ? 0 : 2)] = 1f;
                edge[p] = x == W / 2 ? 1 : 0;
            }
        }
        t.put(Task.SEMSEG, seg);
        t.put(Task.DEPTH, depth);
        t.put(Task.NORMALS, normals);
        t.put(Task.EDGE, edge);
        return new RawSample("s", H, W, img, t);
    }

    @Test
    void flipTwiceRestoresTargetsAndNormalSign() {
        RawSample raw = nyud();
        Augmentation aug = Augmentation.train(DatasetLayout.NYUD, H, W);
        Sample flipped = aug.apply(raw, new Augmentation.Draw(true, 0, 1));
        // Left half had n = (1, 0, 0); after the flip it is on the right with x negated.
        int n = H * W;
        float[] nrm = flipped.targets().values(Task.NORMALS);
        assertEquals(-1f, nrm[5 * W + (W - 1)], 1e-6);
        assertEquals(0f, nrm[2 * n + 5 * W + (W - 1)], 1e-6);
        // Flip the raw planes twice by hand through the same code path: identity.
        float[] twice =
                Resampling.flipHorizontal(Resampling.flipHorizontal(raw.target(Task.NORMALS), H, W, 3), H, W, 3);
        assertArrayEquals(raw.target(Task.NORMALS), twice);
        Sample plain = aug.apply(raw, new Augmentation.Draw(false, 0, 1));
        RawSample reflipped = new RawSample("s", H, W, Resampling.flipHorizontal(raw.image(), H, W, 3), flipAll(raw));
        Sample back = aug.apply(reflipped, new Augmentation.Draw(true, 0, 1));
        assertArrayEquals(plain.image(), back.image());
        assertArrayEquals(plain.targets().labels(Task.SEMSEG), back.targets().labels(Task.SEMSEG));
        assertArrayEquals(plain.targets().values(Task.NORMALS), back.targets().values(Task.NORMALS));
        assertArrayEquals(plain.targets().values(Task.DEPTH), back.targets().values(Task.DEPTH));
    }

    private static Map<Task, float[]> flipAll(RawSample raw) {
        Map<Task, float[]> out = new EnumMap<>(Task.class);
        for (Map.Entry<Task, float[]> e : raw.targets().entrySet()) {
            float[] f = Resampling.flipHorizontal(
                    e.getValue(), H, W, e.getKey().spec().targetChannels());
            if (e.getKey() == Task.NORMALS) {
                for (int i = 0; i < f.length; i += 3) {
                    f[i] = -f[i];
                }
            }
            out.put(e.getKey(), f);
        }
        return out;
    }

    @Test
    void nyudScaleDividesDepthAndKeepsLabelsInRange() {
        Augmentation aug = Augmentation.train(DatasetLayout.NYUD, 12, 16);
        Sample s = aug.apply(nyud(), new Augmentation.Draw(false, 0, 1.5));
        for (float d : s.targets().values(Task.DEPTH)) {
            // Scale >= 1 zooms in, so no border appears: every pixel is 3 m / 1.5.
            assertEquals(2f, d, 1e-6);
        }
        for (int v : s.targets().labels(Task.SEMSEG)) {
            assertTrue(v == 3 || v == 39 || v == Task.IGNORE, "label " + v);
        }
    }

    @Test
    void randomTrainSamplesHaveUnitNormalsOrIgnoreAndValidRanges() {
        Augmentation aug = Augmentation.train(DatasetLayout.PASCAL, 20, 20);
        RawSample raw = nyud(); // PASCAL augmentation on the same planes (rotation + scale < 1 exposes border)
        boolean sawIgnoreNormals = false;
        for (int k = 0; k < 20; k++) {
            Sample s = aug.apply(raw, new SplittableRandom(k));
            Augmentation.Draw draw = aug.draw(new SplittableRandom(k)); // the same draws apply() took
            float[] n = s.targets().values(Task.NORMALS);
            int px = 20 * 20;
            for (int p = 0; p < px; p++) {
                float x = n[p];
                float y = n[px + p];
                float z = n[2 * px + p];
                if (x == Task.IGNORE) {
                    assertEquals(Task.IGNORE, y);
                    assertEquals(Task.IGNORE, z);
                    sawIgnoreNormals = true;
                } else {
                    assertEquals(1.0, Math.sqrt(x * x + y * y + z * z), 1e-5);
                }
            }
            for (int v : s.targets().labels(Task.SEMSEG)) {
                assertTrue(v == 0 || v == 3 || v == 39 || v == Task.IGNORE, "label " + v);
            }
            for (float d : s.targets().values(Task.DEPTH)) {
                // ScaleNRotate divides depth by the scale whatever the dataset (PASCAL just has no depth).
                assertTrue(
                        d == Task.IGNORE || Math.abs(d - 3 / draw.scale) < 1e-5, "depth " + d + " scale " + draw.scale);
            }
            for (float e : s.targets().values(Task.EDGE)) {
                assertTrue(e == 0f || e == 1f);
            }
        }
        assertTrue(sawIgnoreNormals, "scale < 1 / rotation must expose a zero border marked 255");
    }

    @Test
    void rotationTurnsNormalsWithTheImage() {
        Map<Task, float[]> t = new EnumMap<>(Task.class);
        float[] n = new float[H * W * 3];
        for (int p = 0; p < H * W; p++) {
            n[3 * p] = 1f; // pointing right everywhere
        }
        t.put(Task.NORMALS, n);
        RawSample raw = new RawSample("r", H, W, new float[H * W * 3], t);
        Sample s = Augmentation.train(DatasetLayout.PASCAL, H, W).apply(raw, new Augmentation.Draw(false, 90, 1));
        float[] out = s.targets().values(Task.NORMALS);
        int c = (H / 2) * W + W / 2;
        // A counter-clockwise quarter turn makes "right" point "up" (camera y is up).
        assertEquals(0f, out[c], 1e-5);
        assertEquals(1f, out[H * W + c], 1e-5);
    }

    @Test
    void allZeroHumanPartsBecomeIgnoreAndPositiveMapsStay() {
        Map<Task, float[]> t = new EnumMap<>(Task.class);
        t.put(Task.HUMAN_PARTS, new float[H * W]);
        Sample none = Augmentation.val(DatasetLayout.PASCAL, H, W)
                .apply(new RawSample("a", H, W, new float[H * W * 3], t), (Augmentation.Draw) null);
        for (int v : none.targets().labels(Task.HUMAN_PARTS)) {
            assertEquals(Task.IGNORE, v);
        }
        float[] parts = new float[H * W];
        parts[5] = 4;
        t.put(Task.HUMAN_PARTS, parts);
        Sample some = Augmentation.val(DatasetLayout.PASCAL, H, W)
                .apply(new RawSample("b", H, W, new float[H * W * 3], t), (Augmentation.Draw) null);
        assertEquals(4, some.targets().labels(Task.HUMAN_PARTS)[5]);
        assertEquals(0, some.targets().labels(Task.HUMAN_PARTS)[6]);
    }

    @Test
    void validationNormalisesWithImageNetStatistics() {
        float[] img = new float[2 * 2 * 3];
        for (int p = 0; p < 4; p++) {
            img[3 * p] = 255; // pure red
        }
        Sample s = Augmentation.val(DatasetLayout.PASCAL, 2, 2)
                .apply(new RawSample("c", 2, 2, img, new EnumMap<>(Task.class)), (Augmentation.Draw) null);
        assertEquals((1 - 0.485f) / 0.229f, s.image()[0], 1e-6);
        assertEquals((0 - 0.456f) / 0.224f, s.image()[4], 1e-6);
        assertEquals((0 - 0.406f) / 0.225f, s.image()[8], 1e-6);
    }

    @Test
    void sameSeedSameSampleDifferentSeedDifferent() {
        Augmentation aug = Augmentation.train(DatasetLayout.PASCAL, 16, 16);
        RawSample raw = nyud();
        Sample a = aug.apply(raw, new SplittableRandom(123));
        Sample b = aug.apply(raw, new SplittableRandom(123));
        assertArrayEquals(a.image(), b.image());
        assertArrayEquals(a.targets().values(Task.NORMALS), b.targets().values(Task.NORMALS));
        boolean differs = false;
        for (int k = 0; k < 5 && !differs; k++) {
            differs = !Arrays.equals(
                    a.image(), aug.apply(raw, new SplittableRandom(1000 + k)).image());
        }
        assertTrue(differs);
        Augmentation.Draw d = aug.draw(new SplittableRandom(9));
        assertTrue(d.angleDeg >= -20 && d.angleDeg <= 20 && d.scale >= 0.75 && d.scale <= 1.25);
        Augmentation.Draw n = Augmentation.train(DatasetLayout.NYUD, 8, 8).draw(new SplittableRandom(9));
        assertEquals(0, n.angleDeg);
        assertTrue(n.scale == 1 || n.scale == 1.2 || n.scale == 1.5);
        assertFalse(Double.isNaN(n.scale));
    }
}
