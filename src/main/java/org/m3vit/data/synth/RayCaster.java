package org.m3vit.data.synth;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Renders a {@link Scene}: one primary ray per pixel centre (so the ground truth is exact for the pixel
 * the image shows), Lambert + Blinn–Phong shading from point lights with hard shadows, procedural
 * textures, a gamma-2 tone curve (a square root: close to sRGB and much cheaper than pow) and mild
 * sensor noise.
 */
final class RayCaster {

    private static final double SHADOW_BIAS = 1e-4;

    private RayCaster() {}

    static Frame render(Scene scene, int height, int width, SplittableRandom noise) {
        Frame f = new Frame(height, width);
        Camera cam = scene.camera;
        double tanX = cam.tanHalfFovX;
        double tanY = tanX * height / width;
        Hit hit = new Hit();
        Hit shadow = new Hit();
        int[][] box = screenBoxes(scene, height, width, tanX, tanY);
        int[] lastBlocker = new int[scene.lights.length];
        Arrays.fill(lastBlocker, -1);
        double[][] cones = lightCones(scene);
        Scene.Group[] candidates = new Scene.Group[scene.groups.length];
        int[] candidateX = new int[2 * scene.groups.length];
        for (int i = 0; i < height; i++) {
            double sy = (1 - 2 * (i + 0.5) / height) * tanY;
            // Objects whose projection can cover this row; per pixel only their column ranges are checked.
            int rowCount = 0;
            for (int g = 0; g < scene.groups.length; g++) {
                if (i >= box[g][2] && i <= box[g][3]) {
                    candidates[rowCount] = scene.groups[g];
                    candidateX[2 * rowCount] = box[g][0];
                    candidateX[2 * rowCount + 1] = box[g][1];
                    rowCount++;
                }
            }
            for (int j = 0; j < width; j++) {
                double sx = (2 * (j + 0.5) / width - 1) * tanX;
                double dx = cam.forward[0] + sx * cam.right[0] + sy * cam.up[0];
                double dy = cam.forward[1] + sx * cam.right[1] + sy * cam.up[1];
                double dz = cam.forward[2] + sx * cam.right[2] + sy * cam.up[2];
                double n = Math.sqrt(dx * dx + dy * dy + dz * dz);
                dx /= n;
                dy /= n;
                dz /= n;
                hit.t = Double.POSITIVE_INFINITY;
                roomHit(scene, cam.px, cam.py, cam.pz, dx, dy, dz, hit);
                for (int g = 0; g < rowCount; g++) {
                    if (j >= candidateX[2 * g] && j <= candidateX[2 * g + 1]) {
                        for (Primitive prim : candidates[g].parts) {
                            prim.intersect(cam.px, cam.py, cam.pz, dx, dy, dz, hit);
                        }
                    }
                }
                // Normals face the viewer (the camera never sits inside a solid, but be safe).
                double nx = hit.nx;
                double ny = hit.ny;
                double nz = hit.nz;
                if (nx * dx + ny * dy + nz * dz > 0) {
                    nx = -nx;
                    ny = -ny;
                    nz = -nz;
                }
                int p = i * width + j;
                f.surface[p] = hit.surface;
                f.depth[p] = (float) (hit.t * (dx * cam.forward[0] + dy * cam.forward[1] + dz * cam.forward[2]));
                f.normals[3 * p] = (float) (nx * cam.right[0] + ny * cam.right[1] + nz * cam.right[2]);
                f.normals[3 * p + 1] = (float) (nx * cam.up[0] + ny * cam.up[1] + nz * cam.up[2]);
                f.normals[3 * p + 2] = (float) -(nx * cam.forward[0] + ny * cam.forward[1] + nz * cam.forward[2]);
                double hx = cam.px + hit.t * dx;
                double hy = cam.py + hit.t * dy;
                double hz = cam.pz + hit.t * dz;
                shade(
                        scene,
                        scene.surfaces.get(hit.surface),
                        hx,
                        hy,
                        hz,
                        nx,
                        ny,
                        nz,
                        dx,
                        dy,
                        dz,
                        shadow,
                        lastBlocker,
                        cones,
                        f.rgb,
                        3 * p,
                        noise);
            }
        }
        return f;
    }

    /**
     * Conservative pixel bounding boxes {x0, x1, y0, y1} of each group's bounding sphere. Dropping one
     * coordinate only shrinks distances, so a ray (sx, sy, 1) in camera coordinates can only hit the
     * sphere if sx lies between the slopes of the tangents from the eye to the sphere's circle in the xz
     * plane (and likewise sy in the yz plane). Spheres reaching behind the eye cover the whole image.
     */
    static int[][] screenBoxes(Scene scene, int height, int width, double tanX, double tanY) {
        Camera c = scene.camera;
        int[][] out = new int[scene.groups.length][];
        for (int g = 0; g < scene.groups.length; g++) {
            Scene.Group grp = scene.groups[g];
            double vx = grp.cx - c.px;
            double vy = grp.cy - c.py;
            double vz = grp.cz - c.pz;
            double x = vx * c.right[0] + vy * c.right[1] + vz * c.right[2];
            double y = vx * c.up[0] + vy * c.up[1] + vz * c.up[2];
            double z = vx * c.forward[0] + vy * c.forward[1] + vz * c.forward[2];
            double r2 = grp.r2;
            if (z <= 0 || z * z - r2 <= 1e-9 * (1 + z * z)) {
                out[g] = new int[] {0, width - 1, 0, height - 1};
                continue;
            }
            double den = z * z - r2;
            double rx = Math.sqrt(r2 * Math.max(0, x * x + z * z - r2));
            double ry = Math.sqrt(r2 * Math.max(0, y * y + z * z - r2));
            double sxLo = (x * z - rx) / den;
            double sxHi = (x * z + rx) / den;
            double syLo = (y * z - ry) / den;
            double syHi = (y * z + ry) / den;
            // sx = (2(j+0.5)/W - 1) tanX  →  j = ((sx/tanX + 1) W/2) - 0.5; rows run downwards as sy decreases.
            int j0 = (int) Math.floor((sxLo / tanX + 1) * width / 2 - 0.5) - 1;
            int j1 = (int) Math.ceil((sxHi / tanX + 1) * width / 2 - 0.5) + 1;
            int i0 = (int) Math.floor((1 - syHi / tanY) * height / 2 - 0.5) - 1;
            int i1 = (int) Math.ceil((1 - syLo / tanY) * height / 2 - 0.5) + 1;
            out[g] = new int[] {Math.max(0, j0), Math.min(width - 1, j1), Math.max(0, i0), Math.min(height - 1, i1)};
        }
        return out;
    }

    /** Nearest surface along the ray; the closed room guarantees a hit. */
    static void trace(Scene s, double ox, double oy, double oz, double dx, double dy, double dz, Hit hit) {
        hit.t = Double.POSITIVE_INFINITY;
        roomHit(s, ox, oy, oz, dx, dy, dz, hit);
        for (Scene.Group g : s.groups) {
            if (g.mayHit(ox, oy, oz, dx, dy, dz, hit.t)) {
                for (Primitive p : g.parts) {
                    p.intersect(ox, oy, oz, dx, dy, dz, hit);
                }
            }
        }
    }

    private static void roomHit(Scene s, double ox, double oy, double oz, double dx, double dy, double dz, Hit hit) {
        double t = Double.POSITIVE_INFINITY;
        double nx = 0;
        double ny = 0;
        double nz = 0;
        int surf = s.wallSurface;
        if (dx > 1e-12 || dx < -1e-12) {
            double tx = ((dx > 0 ? s.x1 : s.x0) - ox) / dx;
            if (tx < t) {
                t = tx;
                nx = dx > 0 ? -1 : 1;
            }
        }
        if (dz > 1e-12 || dz < -1e-12) {
            double tz = ((dz > 0 ? s.z1 : s.z0) - oz) / dz;
            if (tz < t) {
                t = tz;
                nx = 0;
                nz = dz > 0 ? -1 : 1;
            }
        }
        if (dy > 1e-12 || dy < -1e-12) {
            double ty = ((dy > 0 ? s.height : 0) - oy) / dy;
            if (ty < t) {
                t = ty;
                nx = 0;
                nz = 0;
                ny = dy > 0 ? -1 : 1;
                surf = dy > 0 ? s.ceilingSurface : s.floorSurface;
            }
        }
        hit.set(t, nx, ny, nz, surf);
    }

    /**
     * Per light and group, the cone from the light that contains the group's bounding sphere:
     * {ux, uy, uz, cos(half-angle), distance to the sphere's nearest point}; cos = -2 when the light is
     * inside the sphere (the group must always be tested).
     */
    static double[][] lightCones(Scene s) {
        double[][] out = new double[s.lights.length][];
        for (int li = 0; li < s.lights.length; li++) {
            double[] light = s.lights[li];
            double[] c = new double[5 * s.groups.length];
            for (int g = 0; g < s.groups.length; g++) {
                Scene.Group grp = s.groups[g];
                double vx = grp.cx - light[0];
                double vy = grp.cy - light[1];
                double vz = grp.cz - light[2];
                double d2 = vx * vx + vy * vy + vz * vz;
                double d = Math.sqrt(d2);
                if (d2 <= grp.r2 * (1 + 1e-9) || d < 1e-9) {
                    c[5 * g + 3] = -2;
                    c[5 * g + 4] = 0;
                    continue;
                }
                c[5 * g] = vx / d;
                c[5 * g + 1] = vy / d;
                c[5 * g + 2] = vz / d;
                // Small margins keep the test conservative for shadow rays that start a bias away from the surface.
                c[5 * g + 3] = Math.sqrt(1 - grp.r2 / d2) - 1e-6;
                c[5 * g + 4] = d - Math.sqrt(grp.r2) - 1e-3;
            }
            out[li] = c;
        }
        return out;
    }

    /**
     * Whether anything blocks the segment to a light. A group can only block it if the point lies beyond
     * the group's nearest distance from the light and inside the group's cone seen from the light.
     * Neighbouring pixels are usually shadowed by the same object, so the group that blocked the previous
     * shadow ray of this light is tested first.
     */
    private static boolean occluded(
            Scene s,
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double dist,
            Hit shadow,
            int[] lastBlocker,
            double[] cone,
            int light) {
        int first = lastBlocker[light];
        if (first >= 0
                && inCone(cone, first, dx, dy, dz, dist)
                && blocks(s.groups[first], ox, oy, oz, dx, dy, dz, dist, shadow)) {
            return true;
        }
        for (int g = 0; g < s.groups.length; g++) {
            if (g != first
                    && inCone(cone, g, dx, dy, dz, dist)
                    && blocks(s.groups[g], ox, oy, oz, dx, dy, dz, dist, shadow)) {
                lastBlocker[light] = g;
                return true;
            }
        }
        return false;
    }

    /** (dx, dy, dz) points from the surface to the light, so the light sees the point along its negation. */
    static boolean inCone(double[] cone, int g, double dx, double dy, double dz, double dist) {
        int k = 5 * g;
        return dist > cone[k + 4] && -(dx * cone[k] + dy * cone[k + 1] + dz * cone[k + 2]) >= cone[k + 3];
    }

    static boolean blocks(
            Scene.Group g, double ox, double oy, double oz, double dx, double dy, double dz, double dist, Hit shadow) {
        if (!g.mayHit(ox, oy, oz, dx, dy, dz, dist)) {
            return false;
        }
        for (Primitive p : g.parts) {
            shadow.t = dist;
            if (p.intersect(ox, oy, oz, dx, dy, dz, shadow)) {
                return true;
            }
        }
        return false;
    }

    private static void shade(
            Scene s,
            Surface m,
            double x,
            double y,
            double z,
            double nx,
            double ny,
            double nz,
            double dx,
            double dy,
            double dz,
            Hit shadow,
            int[] lastBlocker,
            double[][] cones,
            byte[] rgb,
            int at,
            SplittableRandom noise) {
        double w = m.texture.weight(x, y, z, m.textureScale);
        double ar = m.r1 + w * (m.r2 - m.r1);
        double ag = m.g1 + w * (m.g2 - m.g1);
        double ab = m.b1 + w * (m.b2 - m.b1);
        double diffuse = s.ambient + m.emission;
        double spec = 0;
        double ox = x + nx * SHADOW_BIAS;
        double oy = y + ny * SHADOW_BIAS;
        double oz = z + nz * SHADOW_BIAS;
        for (int li = 0; li < s.lights.length; li++) {
            double[] light = s.lights[li];
            double lx = light[0] - x;
            double ly = light[1] - y;
            double lz = light[2] - z;
            double dist = Math.sqrt(lx * lx + ly * ly + lz * lz);
            lx /= dist;
            ly /= dist;
            lz /= dist;
            double cos = nx * lx + ny * ly + nz * lz;
            if (cos <= 0 || occluded(s, ox, oy, oz, lx, ly, lz, dist, shadow, lastBlocker, cones[li], li)) {
                continue;
            }
            double falloff = light[3] / (1 + 0.08 * dist * dist);
            diffuse += cos * falloff;
            if (m.specular > 0) {
                double hx = lx - dx;
                double hy = ly - dy;
                double hz = lz - dz;
                double hn = Math.sqrt(hx * hx + hy * hy + hz * hz);
                double nh = Math.max(0, (nx * hx + ny * hy + nz * hz) / hn);
                double nh2 = nh * nh;
                double nh8 = nh2 * nh2 * nh2 * nh2;
                spec += m.specular * falloff * nh8 * nh8 * nh8 * nh8;
            }
        }
        double jitter = noise.nextDouble() - 0.5;
        rgb[at] = tone(ar * diffuse + spec, jitter);
        rgb[at + 1] = tone(ag * diffuse + spec, jitter);
        rgb[at + 2] = tone(ab * diffuse + spec, jitter);
    }

    private static byte tone(double linear, double jitter) {
        double v = 255 * Math.sqrt(Math.min(1, Math.max(0, linear))) + 4 * jitter;
        return (byte) Math.max(0, Math.min(255, Math.round(v)));
    }
}
