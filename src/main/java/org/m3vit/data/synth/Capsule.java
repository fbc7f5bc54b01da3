package org.m3vit.data.synth;

/** A capsule (segment a–b swept by a sphere of radius r): the limbs, torso and neck of the person figure. */
final class Capsule extends Primitive {

    private final double ax;
    private final double ay;
    private final double az;
    private final double bax;
    private final double bay;
    private final double baz;
    private final double baba;
    private final double r;
    /** Bounding sphere (centre, squared radius) for a cheap early rejection. */
    private final double bcx;

    private final double bcy;
    private final double bcz;
    private final double br2;

    Capsule(int surface, double ax, double ay, double az, double bx, double by, double bz, double r) {
        super(surface);
        this.ax = ax;
        this.ay = ay;
        this.az = az;
        this.bax = bx - ax;
        this.bay = by - ay;
        this.baz = bz - az;
        this.baba = bax * bax + bay * bay + baz * baz;
        this.r = r;
        this.bcx = ax + bax / 2;
        this.bcy = ay + bay / 2;
        this.bcz = az + baz / 2;
        double br = Math.sqrt(baba) / 2 + r;
        this.br2 = br * br;
    }

    @Override
    boolean intersect(double ox, double oy, double oz, double dx, double dy, double dz, Hit hit) {
        double qx = ox - bcx;
        double qy = oy - bcy;
        double qz = oz - bcz;
        double qb = qx * dx + qy * dy + qz * dz;
        double qd = qb * qb - (qx * qx + qy * qy + qz * qz - br2);
        if (qd < 0) {
            return false;
        }
        double qs = Math.sqrt(qd);
        if (-qb + qs <= EPS || -qb - qs >= hit.t) {
            return false;
        }
        if (baba < 1e-12) {
            return sphere(ox, oy, oz, dx, dy, dz, ax, ay, az, hit);
        }
        // Infinite cylinder around the axis, then clamp to the segment; outside it the end spheres decide.
        double oax = ox - ax;
        double oay = oy - ay;
        double oaz = oz - az;
        double bard = bax * dx + bay * dy + baz * dz;
        double baoa = bax * oax + bay * oay + baz * oaz;
        double rdoa = dx * oax + dy * oay + dz * oaz;
        double oaoa = oax * oax + oay * oay + oaz * oaz;
        double a = baba - bard * bard;
        double b = baba * rdoa - baoa * bard;
        double c = baba * oaoa - baoa * baoa - r * r * baba;
        double h = b * b - a * c;
        if (h < 0) {
            return false;
        }
        if (a > 1e-12) {
            double sq = Math.sqrt(h);
            for (int k = 0; k < 2; k++) {
                double t = (-b + (k == 0 ? -sq : sq)) / a;
                if (t <= EPS) {
                    continue;
                }
                double y = baoa + t * bard;
                if (y > 0 && y < baba) {
                    if (t >= hit.t) {
                        return false;
                    }
                    double px = oax + t * dx;
                    double py = oay + t * dy;
                    double pz = oaz + t * dz;
                    double f = y / baba;
                    hit.set(t, (px - f * bax) / r, (py - f * bay) / r, (pz - f * baz) / r, surface);
                    return true;
                }
                break;
            }
        }
        boolean any = sphere(ox, oy, oz, dx, dy, dz, ax, ay, az, hit);
        any |= sphere(ox, oy, oz, dx, dy, dz, ax + bax, ay + bay, az + baz, hit);
        return any;
    }

    private boolean sphere(
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double cx,
            double cy,
            double cz,
            Hit hit) {
        return Sphere.intersect(ox, oy, oz, dx, dy, dz, cx, cy, cz, r, surface, hit);
    }

    @Override
    double[] bounds() {
        double half = Math.sqrt(baba) / 2;
        return new double[] {ax + bax / 2, ay + bay / 2, az + baz / 2, half + r};
    }
}
