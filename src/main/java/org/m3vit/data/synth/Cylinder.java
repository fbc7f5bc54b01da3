package org.m3vit.data.synth;

/** An upright capped cylinder (bottles, table legs, lamp stands, plant pots). */
final class Cylinder extends Primitive {

    private final double cx;
    private final double cz;
    private final double y0;
    private final double y1;
    private final double r;

    Cylinder(int surface, double cx, double y0, double cz, double height, double r) {
        super(surface);
        this.cx = cx;
        this.cz = cz;
        this.y0 = y0;
        this.y1 = y0 + height;
        this.r = r;
    }

    @Override
    boolean intersect(double ox, double oy, double oz, double dx, double dy, double dz, Hit hit) {
        boolean found = false;
        double px = ox - cx;
        double pz = oz - cz;
        double a = dx * dx + dz * dz;
        if (a > 1e-12) {
            double b = px * dx + pz * dz;
            double c = px * px + pz * pz - r * r;
            double disc = b * b - a * c;
            if (disc >= 0) {
                double s = Math.sqrt(disc);
                for (int k = 0; k < 2; k++) {
                    double t = (-b + (k == 0 ? -s : s)) / a;
                    if (t <= EPS || t >= hit.t) {
                        continue;
                    }
                    double y = oy + t * dy;
                    if (y >= y0 && y <= y1) {
                        hit.set(t, (px + t * dx) / r, 0, (pz + t * dz) / r, surface);
                        found = true;
                        break;
                    }
                }
            }
        }
        if (Math.abs(dy) > 1e-12) {
            for (int k = 0; k < 2; k++) {
                double yc = k == 0 ? y0 : y1;
                double t = (yc - oy) / dy;
                if (t <= EPS || t >= hit.t) {
                    continue;
                }
                double qx = px + t * dx;
                double qz = pz + t * dz;
                if (qx * qx + qz * qz <= r * r) {
                    hit.set(t, 0, k == 0 ? -1 : 1, 0, surface);
                    found = true;
                }
            }
        }
        return found;
    }

    @Override
    double[] bounds() {
        double hh = (y1 - y0) / 2;
        return new double[] {cx, (y0 + y1) / 2, cz, Math.sqrt(hh * hh + r * r)};
    }
}
