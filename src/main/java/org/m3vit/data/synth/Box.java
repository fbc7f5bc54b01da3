package org.m3vit.data.synth;

/** A box rotated about the vertical axis (furniture parts, pictures and windows on walls). */
final class Box extends Primitive {

    private final double cx;
    private final double cy;
    private final double cz;
    private final double hx;
    private final double hy;
    private final double hz;
    private final double cos;
    private final double sin;

    /** Centre, half extents along the box's own axes, and rotation (radians) about +y. */
    Box(int surface, double cx, double cy, double cz, double hx, double hy, double hz, double yaw) {
        super(surface);
        this.cx = cx;
        this.cy = cy;
        this.cz = cz;
        this.hx = hx;
        this.hy = hy;
        this.hz = hz;
        this.cos = Math.cos(yaw);
        this.sin = Math.sin(yaw);
    }

    @Override
    boolean intersect(double ox, double oy, double oz, double dx, double dy, double dz, Hit hit) {
        // Ray into the box frame: local x = R^T (p - c) with R the yaw rotation.
        double px = ox - cx;
        double py = oy - cy;
        double pz = oz - cz;
        double lox = cos * px - sin * pz;
        double loz = sin * px + cos * pz;
        double ldx = cos * dx - sin * dz;
        double ldz = sin * dx + cos * dz;
        // Slab test, axis by axis (unrolled: this is the hottest code of the renderer).
        double tNear = Double.NEGATIVE_INFINITY;
        double tFar = Double.POSITIVE_INFINITY;
        int axisNear = -1;
        double signNear = 0;
        int axisFar = -1;
        double signFar = 0;
        for (int k = 0; k < 3; k++) {
            double o = k == 0 ? lox : k == 1 ? py : loz;
            double d = k == 0 ? ldx : k == 1 ? dy : ldz;
            double h = k == 0 ? hx : k == 1 ? hy : hz;
            if (Math.abs(d) < 1e-12) {
                if (o < -h || o > h) {
                    return false;
                }
                continue;
            }
            double inv = 1 / d;
            double t1 = (-h - o) * inv;
            double t2 = (h - o) * inv;
            double s1 = -1;
            if (t1 > t2) {
                double tmp = t1;
                t1 = t2;
                t2 = tmp;
                s1 = 1;
            }
            if (t1 > tNear) {
                tNear = t1;
                axisNear = k;
                signNear = s1;
            }
            if (t2 < tFar) {
                tFar = t2;
                axisFar = k;
                signFar = -s1;
            }
            if (tNear > tFar || tFar <= EPS || tNear >= hit.t) {
                return false;
            }
        }
        double t;
        int axis;
        double sign;
        if (tNear > EPS) {
            t = tNear;
            axis = axisNear;
            sign = signNear;
        } else if (tFar > EPS) {
            t = tFar;
            axis = axisFar;
            sign = signFar;
        } else {
            return false;
        }
        if (t >= hit.t || axis < 0) {
            return false;
        }
        double lnx = axis == 0 ? sign : 0;
        double lny = axis == 1 ? sign : 0;
        double lnz = axis == 2 ? sign : 0;
        // Back to world: n = R n_local.
        hit.set(t, cos * lnx + sin * lnz, lny, -sin * lnx + cos * lnz, surface);
        return true;
    }

    @Override
    double[] bounds() {
        return new double[] {cx, cy, cz, Math.sqrt(hx * hx + hy * hy + hz * hz)};
    }
}
