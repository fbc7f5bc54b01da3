package org.m3vit.data.synth;

/**
 * A solid the ray caster can hit. Every primitive belongs to one {@link Surface} (its semantic labels and
 * material) and exposes a bounding sphere so whole objects can be skipped cheaply.
 */
abstract class Primitive {

    final int surface;

    Primitive(int surface) {
        this.surface = surface;
    }

    /**
     * Nearest intersection with t in (EPS, hit.t) along the unit ray o + t·d; on success updates
     * {@code hit} (distance, outward unit normal, surface) and returns true.
     */
    abstract boolean intersect(double ox, double oy, double oz, double dx, double dy, double dz, Hit hit);

    /** Centre and radius of a sphere containing the primitive: {cx, cy, cz, r}. */
    abstract double[] bounds();

    static final double EPS = 1e-6;
}
