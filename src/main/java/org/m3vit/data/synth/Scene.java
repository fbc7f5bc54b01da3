package org.m3vit.data.synth;

import java.util.List;

/** A generated room: its extent, the objects (groups of primitives with bounding spheres), lights and camera. */
final class Scene {

    /** An object's primitives with one bounding sphere around all of them, so misses cost one test. */
    static final class Group {
        final Primitive[] parts;
        final double cx;
        final double cy;
        final double cz;
        final double r2;

        Group(List<Primitive> parts) {
            this.parts = parts.toArray(new Primitive[0]);
            double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
            for (Primitive p : this.parts) {
                double[] b = p.bounds();
                for (int k = 0; k < 3; k++) {
                    lo[k] = Math.min(lo[k], b[k] - b[3]);
                    hi[k] = Math.max(hi[k], b[k] + b[3]);
                }
            }
            cx = (lo[0] + hi[0]) / 2;
            cy = (lo[1] + hi[1]) / 2;
            cz = (lo[2] + hi[2]) / 2;
            double r = 0;
            for (Primitive p : this.parts) {
                double[] b = p.bounds();
                double dx = b[0] - cx;
                double dy = b[1] - cy;
                double dz = b[2] - cz;
                r = Math.max(r, Math.sqrt(dx * dx + dy * dy + dz * dz) + b[3]);
            }
            r2 = r * r;
        }

        /** Whether the ray can hit something of this group closer than {@code tMax}. */
        boolean mayHit(double ox, double oy, double oz, double dx, double dy, double dz, double tMax) {
            double px = ox - cx;
            double py = oy - cy;
            double pz = oz - cz;
            double b = px * dx + py * dy + pz * dz;
            double c = px * px + py * py + pz * pz - r2;
            double disc = b * b - c;
            if (disc < 0) {
                return false;
            }
            double s = Math.sqrt(disc);
            return -b + s > 0 && -b - s < tMax;
        }
    }

    /** Room interior: x in [x0, x1], y in [0, height], z in [z0, z1]. */
    final double x0;

    final double x1;
    final double height;
    final double z0;
    final double z1;
    final int wallSurface;
    final int floorSurface;
    final int ceilingSurface;
    final List<Surface> surfaces;
    final Group[] groups;
    /** Point lights: {x, y, z, intensity}. */
    final double[][] lights;

    final double ambient;
    final Camera camera;
    /** Number of person figures in the scene (surfaces carry person indices 0..persons-1). */
    final int persons;

    Scene(
            double x0,
            double x1,
            double height,
            double z0,
            double z1,
            int wallSurface,
            int floorSurface,
            int ceilingSurface,
            List<Surface> surfaces,
            List<Group> groups,
            double[][] lights,
            double ambient,
            Camera camera,
            int persons) {
        this.x0 = x0;
        this.x1 = x1;
        this.height = height;
        this.z0 = z0;
        this.z1 = z1;
        this.wallSurface = wallSurface;
        this.floorSurface = floorSurface;
        this.ceilingSurface = ceilingSurface;
        this.surfaces = surfaces;
        this.groups = groups.toArray(new Group[0]);
        this.lights = lights;
        this.ambient = ambient;
        this.camera = camera;
        this.persons = persons;
    }
}
