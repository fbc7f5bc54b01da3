package org.m3vit.data.synth;

/** Procedural textures, evaluated at the world-space hit point; each returns a blend weight in [0, 1]. */
enum Texture {
    PLAIN,
    CHECKER,
    STRIPES,
    NOISE,
    WOOD;

    double weight(double x, double y, double z, double scale) {
        switch (this) {
            case CHECKER: {
                long s = (long) Math.floor(x * scale) + (long) Math.floor(y * scale) + (long) Math.floor(z * scale);
                return (s & 1) == 0 ? 0 : 1;
            }
            case STRIPES:
                return 0.5 + 0.5 * Math.sin((x + z) * scale * Math.PI * 2 + y * scale);
            case NOISE:
                return valueNoise(x * scale, y * scale, z * scale);
            case WOOD: {
                double r = Math.sqrt(x * x + z * z) * scale + 0.6 * valueNoise(x * 3, y * 3, z * 3);
                return r - Math.floor(r);
            }
            default:
                return 0;
        }
    }

    /** Smooth value noise on an integer lattice (trilinear with smoothstep), deterministic by position. */
    static double valueNoise(double x, double y, double z) {
        double fx = Math.floor(x);
        double fy = Math.floor(y);
        double fz = Math.floor(z);
        long ix = (long) fx;
        long iy = (long) fy;
        long iz = (long) fz;
        double tx = smooth(x - fx);
        double ty = smooth(y - fy);
        double tz = smooth(z - fz);
        double c000 = lattice(ix, iy, iz);
        double c100 = lattice(ix + 1, iy, iz);
        double c010 = lattice(ix, iy + 1, iz);
        double c110 = lattice(ix + 1, iy + 1, iz);
        double c001 = lattice(ix, iy, iz + 1);
        double c101 = lattice(ix + 1, iy, iz + 1);
        double c011 = lattice(ix, iy + 1, iz + 1);
        double c111 = lattice(ix + 1, iy + 1, iz + 1);
        double x00 = c000 + tx * (c100 - c000);
        double x10 = c010 + tx * (c110 - c010);
        double x01 = c001 + tx * (c101 - c001);
        double x11 = c011 + tx * (c111 - c011);
        double y0 = x00 + ty * (x10 - x00);
        double y1 = x01 + ty * (x11 - x01);
        return y0 + tz * (y1 - y0);
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    private static double lattice(long x, long y, long z) {
        long h = x * 0x9E3779B97F4A7C15L ^ y * 0xC2B2AE3D27D4EB4FL ^ z * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (h >>> 11) * 0x1.0p-53;
    }
}
