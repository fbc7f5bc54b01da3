package org.m3vit.data.synth;

/** A sphere; used for heads, hands, balls and plant foliage. */
final class Sphere extends Primitive {

    private final double cx;
    private final double cy;
    private final double cz;
    private final double r;

    Sphere(int surface, double cx, double cy, double cz, double r) {
        super(surface);
        this.cx = cx;
        this.cy = cy;
        this.cz = cz;
        this.r = r;
    }

    @Override
    boolean intersect(double ox, double oy, double oz, double dx, double dy, double dz, Hit hit) {
        return intersect(ox, oy, oz, dx, dy, dz, cx, cy, cz, r, surface, hit);
    }

    /** Ray–sphere test for a sphere of radius r at c, shared with the capsule's end caps. */
    static boolean intersect(
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double cx,
            double cy,
            double cz,
            double r,
            int surface,
            Hit hit) {
        double px = ox - cx;
        double py = oy - cy;
        double pz = oz - cz;
        double b = px * dx + py * dy + pz * dz;
        double c = px * px + py * py + pz * pz - r * r;
        double disc = b * b - c;
        if (disc < 0) {
            return false;
        }
        double s = Math.sqrt(disc);
        double t = -b - s;
        if (t <= EPS) {
            t = -b + s;
        }
        if (t <= EPS || t >= hit.t) {
            return false;
        }
        hit.set(t, (px + t * dx) / r, (py + t * dy) / r, (pz + t * dz) / r, surface);
        return true;
    }

    @Override
    double[] bounds() {
        return new double[] {cx, cy, cz, r};
    }
}
