package org.m3vit.model;

/**
 * The reference's positional-embedding resize (m3vit.md §9), done on host floats because it runs once
 * at load time and the engine's bilinear resize antialiases when shrinking (torch's does not).
 */
public final class PosEmbedInterpolation {

    private PosEmbedInterpolation() {}

    /**
     * Resizes a pretrained pos_embed (tokens, D) to {@code 1 + h·w} rows: row 0 (cls) is kept, the last
     * h0·w0 rows (h0 = w0 = √grid tokens; a distillation token before them is dropped) are resized
     * bilinearly to h×w with align_corners=False and no antialiasing, as torch's F.interpolate.
     *
     * @param extraTokens tokens before the grid (1 = cls; 2 = cls + dist)
     */
    public static float[] resize(float[] posEmbed, int tokens, int dim, int extraTokens, int h, int w) {
        int grid = tokens - extraTokens;
        int side = (int) Math.round(Math.sqrt(grid));
        if (grid <= 0 || side * side != grid) {
            throw new IllegalArgumentException("pos_embed has " + tokens + " tokens; after " + extraTokens
                    + " cls/dist token(s) the remaining " + grid + " do not form a square grid");
        }
        if (posEmbed.length != (long) tokens * dim) {
            throw new IllegalArgumentException(
                    "pos_embed data has " + posEmbed.length + " values, expected " + tokens + "x" + dim);
        }
        float[] out = new float[(1 + h * w) * dim];
        System.arraycopy(posEmbed, 0, out, 0, dim);
        float[] src = new float[grid * dim];
        System.arraycopy(posEmbed, (tokens - grid) * dim, src, 0, grid * dim);
        float[] resized = bilinear(src, side, side, dim, h, w);
        System.arraycopy(resized, 0, out, dim, h * w * dim);
        return out;
    }

    /**
     * torch.nn.functional.interpolate(mode='bilinear', align_corners=False) on a token grid laid out
     * (h0·w0, C) row-major (token y·w0+x holds C channels); returns (h·w, C).
     */
    public static float[] bilinear(float[] src, int h0, int w0, int c, int h, int w) {
        float[] out = new float[h * w * c];
        for (int y = 0; y < h; y++) {
            int y0 = 0;
            int y1 = 0;
            float ly = 0f;
            float sy = sourceIndex(h0, h, y);
            y0 = (int) sy;
            y1 = y0 < h0 - 1 ? y0 + 1 : y0;
            ly = sy - y0;
            for (int x = 0; x < w; x++) {
                float sx = sourceIndex(w0, w, x);
                int x0 = (int) sx;
                int x1 = x0 < w0 - 1 ? x0 + 1 : x0;
                float lx = sx - x0;
                int o = (y * w + x) * c;
                int a = (y0 * w0 + x0) * c;
                int b = (y0 * w0 + x1) * c;
                int d = (y1 * w0 + x0) * c;
                int e = (y1 * w0 + x1) * c;
                for (int k = 0; k < c; k++) {
                    out[o + k] = (1 - ly) * ((1 - lx) * src[a + k] + lx * src[b + k])
                            + ly * ((1 - lx) * src[d + k] + lx * src[e + k]);
                }
            }
        }
        return out;
    }

    /** torch's area_pixel_compute_source_index for align_corners=False, linear mode. */
    private static float sourceIndex(int in, int out, int dst) {
        float scale = (float) in / out;
        float s = scale * (dst + 0.5f) - 0.5f;
        return s < 0 ? 0f : s;
    }
}
