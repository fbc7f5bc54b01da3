package org.m3vit.data.synth;

/** A pinhole camera: position, orthonormal basis (right, up, forward) and horizontal field of view. */
final class Camera {

    final double px;
    final double py;
    final double pz;
    final double[] right;
    final double[] up;
    final double[] forward;
    final double tanHalfFovX;

    /** Camera at (px, py, pz) looking along yaw (radians about +y, 0 = +z) tilted down by pitch. */
    Camera(double px, double py, double pz, double yaw, double pitch, double fovXDegrees) {
        this.px = px;
        this.py = py;
        this.pz = pz;
        double cp = Math.cos(pitch);
        this.forward = new double[] {Math.sin(yaw) * cp, -Math.sin(pitch), Math.cos(yaw) * cp};
        // right = forward × worldUp (world up = +y), normalised; up = right × forward.
        double rx = -forward[2];
        double rz = forward[0];
        double rn = Math.sqrt(rx * rx + rz * rz);
        this.right = new double[] {rx / rn, 0, rz / rn};
        this.up = new double[] {
            right[1] * forward[2] - right[2] * forward[1],
            right[2] * forward[0] - right[0] * forward[2],
            right[0] * forward[1] - right[1] * forward[0]
        };
        this.tanHalfFovX = Math.tan(Math.toRadians(fovXDegrees) / 2);
    }
}
