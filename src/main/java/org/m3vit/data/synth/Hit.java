package org.m3vit.data.synth;

/** Mutable nearest-hit record, reused per pixel so the inner loop allocates nothing. */
final class Hit {
    double t;
    double nx;
    double ny;
    double nz;
    /** Index of the surface's {@link Surface} in the scene. */
    int surface;

    void set(double t, double nx, double ny, double nz, int surface) {
        this.t = t;
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.surface = surface;
    }
}
