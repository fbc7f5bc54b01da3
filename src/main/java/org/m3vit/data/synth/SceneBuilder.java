package org.m3vit.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.m3vit.task.DatasetLayout;

/**
 * Draws a random indoor scene: a room with textured walls, floor and ceiling; furniture and props of
 * several classes (each class has its own shape, colour family and texture, with per-instance variation);
 * pictures and windows on the walls; 0–2 people; 1–2 point lights; and a camera inside the room looking
 * roughly horizontally. Everything comes from the given random source, so a seed fixes the scene.
 */
final class SceneBuilder {

    /** Classes of free-standing objects and how often each is drawn. */
    private static final SceneClass[] OBJECTS = {
        SceneClass.CABINET, SceneClass.BOX, SceneClass.BALL, SceneClass.LAMP, SceneClass.TABLE,
        SceneClass.CHAIR, SceneClass.SOFA, SceneClass.TV_MONITOR, SceneClass.BOTTLE, SceneClass.POTTED_PLANT
    };

    private final SplittableRandom rng;
    private final List<Surface> surfaces = new ArrayList<>();
    private final List<Scene.Group> groups = new ArrayList<>();
    /** Horizontal footprints already used: {x, z, radius}. */
    private final List<double[]> footprints = new ArrayList<>();
    /** Flat tops bottles can stand on: {x, z, y, half size}. */
    private final List<double[]> tops = new ArrayList<>();

    private int nextInstance;
    private double x0;
    private double x1;
    private double z0;
    private double z1;
    private double roomHeight;
    private Camera camera;
    private double fov;
    private double yaw;

    private SceneBuilder(SplittableRandom rng) {
        this.rng = rng;
    }

    static Scene build(DatasetLayout layout, SplittableRandom rng) {
        return new SceneBuilder(rng).scene(layout);
    }

    private double u(double lo, double hi) {
        return lo + rng.nextDouble() * (hi - lo);
    }

    private Scene scene(DatasetLayout layout) {
        double w = u(4, 7);
        double d = u(4, 7);
        roomHeight = u(2.6, 3.2);
        x0 = -w / 2;
        x1 = w / 2;
        z0 = -d / 2;
        z1 = d / 2;
        int wall = addSurface(
                SceneClass.WALL,
                Colours.around(rng, rng.nextDouble(), 0, 0.08, 0.35, 0.6, 0.9),
                pick(Texture.PLAIN, Texture.NOISE, Texture.STRIPES),
                u(1.5, 4),
                0.85,
                0,
                0.02);
        int floor;
        switch (rng.nextInt(3)) {
            case 0:
                floor = addSurface(
                        SceneClass.FLOOR,
                        Colours.around(rng, 0.08, 0.02, 0.5, 0.7, 0.35, 0.6),
                        Texture.STRIPES,
                        u(1.5, 3),
                        0.6,
                        0.1,
                        0);
                break;
            case 1:
                floor = addSurface(
                        SceneClass.FLOOR,
                        Colours.around(rng, rng.nextDouble(), 0, 0.0, 0.2, 0.5, 0.85),
                        Texture.CHECKER,
                        u(1.5, 3),
                        0.55,
                        0.2,
                        0);
                break;
            default:
                floor = addSurface(
                        SceneClass.FLOOR,
                        Colours.around(rng, rng.nextDouble(), 0, 0.2, 0.5, 0.25, 0.55),
                        Texture.NOISE,
                        u(6, 12),
                        0.7,
                        0,
                        0);
        }
        int ceiling = addSurface(
                SceneClass.CEILING, Colours.around(rng, 0.1, 0.1, 0.0, 0.08, 0.85, 0.97), Texture.PLAIN, 1, 1, 0, 0.05);

        double camX = u(x0 + 0.6, x1 - 0.6);
        double camZ = u(z0 + 0.6, z1 - 0.6);
        // Look roughly across the room (towards its centre ± 60°) so views are not filled by a near wall.
        yaw = Math.atan2(-camX, -camZ) + Math.toRadians(u(-60, 60));
        fov = u(55, 70);
        camera = new Camera(camX, u(1.1, 1.7), camZ, yaw, Math.toRadians(u(5, 25)), fov);
        footprints.add(new double[] {camX, camZ, 0.45});

        int persons = 0;
        double personChance = layout == DatasetLayout.PASCAL ? 0.75 : 0.35;
        if (rng.nextDouble() < personChance) {
            persons = rng.nextDouble() < 0.25 ? 2 : 1;
        }
        for (int p = 0; p < persons; p++) {
            double[] at = placeInView(0.35, 1.6, 3.6, 0.7);
            if (at == null) {
                persons = p;
                break;
            }
            double facing = Math.atan2(camX - at[0], camZ - at[1]) + Math.toRadians(u(-70, 70));
            groups.addAll(PersonFigure.build(rng, surfaces, nextInstance++, p, at[0], at[1], facing));
        }

        int objects = 4 + rng.nextInt(5);
        for (int k = 0; k < objects; k++) {
            addObject(OBJECTS[rng.nextInt(OBJECTS.length)], k % 2 == 0);
        }
        int wallItems = rng.nextInt(4);
        for (int k = 0; k < wallItems; k++) {
            addWallItem(rng.nextInt(3) == 0 ? SceneClass.WINDOW : SceneClass.PICTURE);
        }

        int nLights = 1 + rng.nextInt(2);
        double[][] lights = new double[nLights][];
        for (int k = 0; k < nLights; k++) {
            lights[k] = new double[] {
                u(x0 + 0.5, x1 - 0.5), roomHeight - u(0.2, 0.5), u(z0 + 0.5, z1 - 0.5), u(1.0, 1.6) / nLights
            };
        }
        return new Scene(
                x0,
                x1,
                roomHeight,
                z0,
                z1,
                wall,
                floor,
                ceiling,
                surfaces,
                groups,
                lights,
                u(0.12, 0.25),
                camera,
                persons);
    }

    private Texture pick(Texture... options) {
        return options[rng.nextInt(options.length)];
    }

    private int addSurface(
            SceneClass cls, double[] colour, Texture tex, double scale, double darker, double spec, double emission) {
        return addSurface(cls, nextInstance++, colour, tex, scale, darker, spec, emission);
    }

    private int addSurface(
            SceneClass cls,
            int instance,
            double[] colour,
            Texture tex,
            double scale,
            double darker,
            double spec,
            double emission) {
        surfaces.add(new Surface(
                cls, instance, -1, null, colour, Colours.scale(colour, darker), tex, scale, spec, emission));
        return surfaces.size() - 1;
    }

    /**
     * A free floor position for a footprint of the given radius: in front of the camera (within most of
     * the field of view) when {@code inView}, anywhere in the room otherwise. Null if none was found.
     */
    private double[] placeInView(double radius, double minDist, double maxDist, double viewFraction) {
        for (int attempt = 0; attempt < 20; attempt++) {
            double x;
            double z;
            if (viewFraction > 0) {
                double dir = yaw + Math.toRadians(fov / 2) * viewFraction * (rng.nextDouble() * 2 - 1);
                double dist = u(minDist, maxDist);
                x = camera.px + Math.sin(dir) * dist;
                z = camera.pz + Math.cos(dir) * dist;
            } else {
                x = u(x0, x1);
                z = u(z0, z1);
            }
            x = Math.max(x0 + radius + 0.05, Math.min(x1 - radius - 0.05, x));
            z = Math.max(z0 + radius + 0.05, Math.min(z1 - radius - 0.05, z));
            boolean free = true;
            for (double[] f : footprints) {
                double dx = f[0] - x;
                double dz = f[1] - z;
                if (dx * dx + dz * dz < (f[2] + radius) * (f[2] + radius)) {
                    free = false;
                    break;
                }
            }
            if (free) {
                footprints.add(new double[] {x, z, radius});
                return new double[] {x, z};
            }
        }
        return null;
    }

    private void addObject(SceneClass cls, boolean inView) {
        double view = inView ? 0.85 : 0;
        List<Primitive> prims = new ArrayList<>();
        int inst = nextInstance++;
        double rot = u(0, Math.PI);
        switch (cls) {
            case CABINET: {
                double w = u(0.6, 1.1);
                double h = u(0.8, 1.9);
                double d = u(0.4, 0.6);
                double[] at = placeInView(Math.hypot(w, d) / 2, 1.5, 4.5, view);
                if (at == null) {
                    return;
                }
                int s = addSurface(
                        cls,
                        inst,
                        Colours.around(rng, 0.07, 0.03, 0.5, 0.8, 0.3, 0.6),
                        Texture.WOOD,
                        u(8, 14),
                        0.7,
                        0.1,
                        0);
                prims.add(new Box(s, at[0], h / 2, at[1], w / 2, h / 2, d / 2, rot));
                tops.add(new double[] {at[0], at[1], h, Math.min(w, d) / 2 * 0.6});
                break;
            }
            case BOX: {
                double side = u(0.25, 0.55);
                double[] at = placeInView(side * 0.75, 1.2, 4, view);
                if (at == null) {
                    return;
                }
                int s = addSurface(
                        cls,
                        inst,
                        Colours.around(rng, 0.09, 0.02, 0.45, 0.65, 0.5, 0.75),
                        Texture.NOISE,
                        u(15, 30),
                        0.8,
                        0,
                        0);
                prims.add(new Box(s, at[0], side / 2, at[1], side / 2, side / 2, side / 2, rot));
                tops.add(new double[] {at[0], at[1], side, side / 2 * 0.6});
                break;
            }
            case BALL: {
                double r = u(0.1, 0.25);
                double[] at = placeInView(r, 1.2, 4, view);
                if (at == null) {
                    return;
                }
                int s = addSurface(
                        cls,
                        inst,
                        Colours.around(rng, rng.nextDouble(), 0, 0.7, 1, 0.6, 0.95),
                        Texture.CHECKER,
                        u(6, 12),
                        0.3,
                        0.5,
                        0);
                prims.add(new Sphere(s, at[0], r, at[1], r));
                break;
            }
            case LAMP: {
                double h = u(1.2, 1.6);
                double[] at = placeInView(0.22, 1.5, 4.5, view);
                if (at == null) {
                    return;
                }
                int stand = addSurface(
                        cls, inst, Colours.around(rng, 0.1, 0.1, 0.0, 0.2, 0.1, 0.3), Texture.PLAIN, 1, 1, 0.6, 0);
                int shade = addSurface(
                        cls, inst, Colours.around(rng, 0.12, 0.04, 0.3, 0.6, 0.8, 1.0), Texture.PLAIN, 1, 1, 0, 0.6);
                prims.add(new Cylinder(stand, at[0], 0, at[1], h, 0.025));
                prims.add(new Cylinder(stand, at[0], 0, at[1], 0.03, 0.16));
                prims.add(new Cylinder(shade, at[0], h, at[1], 0.28, 0.2));
                break;
            }
            case TABLE: {
                double w = u(0.8, 1.6);
                double d = u(0.6, 0.9);
                double h = u(0.7, 0.78);
                double[] at = placeInView(Math.hypot(w, d) / 2, 1.5, 4, view);
                if (at == null) {
                    return;
                }
                int s = addSurface(
                        cls,
                        inst,
                        Colours.around(rng, 0.08, 0.03, 0.4, 0.8, 0.25, 0.7),
                        Texture.WOOD,
                        u(6, 12),
                        0.75,
                        0.3,
                        0);
                prims.add(new Box(s, at[0], h - 0.025, at[1], w / 2, 0.025, d / 2, rot));
                for (int k = 0; k < 4; k++) {
                    double lx = (k % 2 == 0 ? 1 : -1) * (w / 2 - 0.06);
                    double lz = (k < 2 ? 1 : -1) * (d / 2 - 0.06);
                    double wx = at[0] + Math.cos(rot) * lx + Math.sin(rot) * lz;
                    double wz = at[1] - Math.sin(rot) * lx + Math.cos(rot) * lz;
                    prims.add(new Cylinder(s, wx, 0, wz, h - 0.05, 0.03));
                }
                tops.add(new double[] {at[0], at[1], h, Math.min(w, d) / 2 * 0.7});
                break;
            }
            case CHAIR: {
                double[] at = placeInView(0.4, 1.3, 4, view);
                if (at == null) {
                    return;
                }
                boolean wooden = rng.nextBoolean();
                int s = wooden
                        ? addSurface(
                                cls,
                                inst,
                                Colours.around(rng, 0.08, 0.03, 0.5, 0.8, 0.3, 0.6),
                                Texture.WOOD,
                                u(10, 16),
                                0.7,
                                0.2,
                                0)
                        : addSurface(
                                cls,
                                inst,
                                Colours.around(rng, rng.nextDouble(), 0, 0.6, 0.95, 0.5, 0.9),
                                Texture.PLAIN,
                                1,
                                1,
                                0.6,
                                0);
                double seat = u(0.42, 0.5);
                prims.add(new Box(s, at[0], seat, at[1], 0.23, 0.025, 0.23, rot));
                double bx = at[0] + Math.sin(rot) * -0.21;
                double bz = at[1] + Math.cos(rot) * -0.21;
                prims.add(new Box(s, bx, seat + 0.25, bz, 0.23, 0.22, 0.02, rot));
                for (int k = 0; k < 4; k++) {
                    double lx = (k % 2 == 0 ? 1 : -1) * 0.19;
                    double lz = (k < 2 ? 1 : -1) * 0.19;
                    double wx = at[0] + Math.cos(rot) * lx + Math.sin(rot) * lz;
                    double wz = at[1] - Math.sin(rot) * lx + Math.cos(rot) * lz;
                    prims.add(new Cylinder(s, wx, 0, wz, seat - 0.025, 0.02));
                }
                break;
            }
            case SOFA: {
                double w = u(1.6, 2.2);
                double d = u(0.8, 0.95);
                double[] at = placeInView(Math.hypot(w, d) / 2, 2, 4.5, view);
                if (at == null) {
                    return;
                }
                int s = addSurface(
                        cls,
                        inst,
                        Colours.around(rng, rng.nextDouble(), 0, 0.3, 0.7, 0.3, 0.7),
                        Texture.NOISE,
                        u(12, 25),
                        0.8,
                        0,
                        0);
                prims.add(new Box(s, at[0], 0.22, at[1], w / 2, 0.22, d / 2, rot));
                double bx = at[0] + Math.sin(rot) * -(d / 2 - 0.1);
                double bz = at[1] + Math.cos(rot) * -(d / 2 - 0.1);
                prims.add(new Box(s, bx, 0.6, bz, w / 2, 0.2, 0.1, rot));
                for (int side = -1; side <= 1; side += 2) {
                    double ax = at[0] + Math.cos(rot) * side * (w / 2 - 0.08);
                    double az = at[1] - Math.sin(rot) * side * (w / 2 - 0.08);
                    prims.add(new Box(s, ax, 0.55, az, 0.08, 0.12, d / 2, rot));
                }
                break;
            }
            case TV_MONITOR: {
                double w = u(0.6, 1.1);
                double h = w * u(0.55, 0.65);
                double stand = u(0.5, 0.8);
                double[] at = placeInView(w / 2, 1.5, 4, view);
                if (at == null) {
                    return;
                }
                // Face the camera so the screen shows.
                double face = Math.atan2(camera.px - at[0], camera.pz - at[1]) + Math.toRadians(u(-25, 25));
                int frame = addSurface(cls, inst, new double[] {0.04, 0.04, 0.05}, Texture.PLAIN, 1, 1, 0.7, 0);
                int screen = addSurface(
                        cls,
                        inst,
                        Colours.around(rng, 0.6, 0.1, 0.3, 0.8, 0.3, 0.7),
                        Texture.STRIPES,
                        u(20, 40),
                        0.7,
                        0.3,
                        0.7);
                prims.add(new Cylinder(frame, at[0], 0, at[1], stand, 0.04));
                prims.add(new Cylinder(frame, at[0], 0, at[1], 0.02, 0.18));
                prims.add(new Box(frame, at[0], stand + h / 2, at[1], w / 2, h / 2, 0.03, face));
                double sx = at[0] + Math.sin(face) * 0.02;
                double sz = at[1] + Math.cos(face) * 0.02;
                prims.add(new Box(screen, sx, stand + h / 2, sz, w / 2 - 0.03, h / 2 - 0.03, 0.015, face));
                break;
            }
            case BOTTLE: {
                double r = u(0.035, 0.06);
                double h = u(0.2, 0.35);
                double[] on = tops.isEmpty() || rng.nextInt(3) == 0 ? null : tops.get(rng.nextInt(tops.size()));
                double x;
                double z;
                double base;
                if (on != null) {
                    x = on[0] + u(-on[3], on[3]);
                    z = on[1] + u(-on[3], on[3]);
                    base = on[2];
                } else {
                    double[] at = placeInView(r * 2, 1.0, 3, view);
                    if (at == null) {
                        return;
                    }
                    x = at[0];
                    z = at[1];
                    base = 0;
                }
                int s = addSurface(
                        cls,
                        inst,
                        Colours.around(rng, rng.nextBoolean() ? 0.33 : 0.08, 0.04, 0.6, 0.9, 0.2, 0.5),
                        Texture.PLAIN,
                        1,
                        1,
                        0.9,
                        0);
                prims.add(new Cylinder(s, x, base, z, h * 0.7, r));
                prims.add(new Cylinder(s, x, base + h * 0.7, z, h * 0.3, r * 0.4));
                break;
            }
            case POTTED_PLANT: {
                double pr = u(0.1, 0.16);
                double ph = u(0.2, 0.32);
                double[] at = placeInView(pr * 2.5, 1.3, 4, view);
                if (at == null) {
                    return;
                }
                int pot = addSurface(
                        cls, inst, Colours.around(rng, 0.05, 0.02, 0.6, 0.8, 0.45, 0.7), Texture.PLAIN, 1, 1, 0.1, 0);
                int leaves = addSurface(
                        cls,
                        inst,
                        Colours.around(rng, 0.3, 0.05, 0.5, 0.9, 0.25, 0.6),
                        Texture.NOISE,
                        u(20, 35),
                        0.5,
                        0.1,
                        0);
                prims.add(new Cylinder(pot, at[0], 0, at[1], ph, pr));
                int blobs = 2 + rng.nextInt(3);
                for (int k = 0; k < blobs; k++) {
                    double br = pr * u(0.9, 1.6);
                    prims.add(new Sphere(leaves, at[0] + u(-pr, pr), ph + br * u(0.6, 1.8), at[1] + u(-pr, pr), br));
                }
                break;
            }
            default:
                throw new IllegalStateException("not an object class: " + cls);
        }
        groups.add(new Scene.Group(prims));
    }

    /** A picture or window: a thin box just in front of a random wall. */
    private void addWallItem(SceneClass cls) {
        int wall = rng.nextInt(4);
        double w = u(0.5, 1.3);
        double h = u(0.4, 1.0);
        double y = u(1.0, Math.max(1.01, roomHeight - h / 2 - 0.3));
        double t = 0.02;
        double cx;
        double cz;
        double rot;
        if (wall < 2) {
            cx = u(x0 + w / 2 + 0.1, x1 - w / 2 - 0.1);
            cz = wall == 0 ? z0 + t : z1 - t;
            rot = 0;
        } else {
            cz = u(z0 + w / 2 + 0.1, z1 - w / 2 - 0.1);
            cx = wall == 2 ? x0 + t : x1 - t;
            rot = Math.PI / 2;
        }
        int inst = nextInstance++;
        int s = cls == SceneClass.WINDOW
                ? addSurface(
                        cls, inst, Colours.around(rng, 0.55, 0.05, 0.2, 0.5, 0.8, 1.0), Texture.PLAIN, 1, 1, 0.8, 0.9)
                : addSurface(
                        cls,
                        inst,
                        Colours.around(rng, rng.nextDouble(), 0, 0.5, 0.9, 0.4, 0.9),
                        pick(Texture.CHECKER, Texture.STRIPES, Texture.NOISE),
                        u(4, 12),
                        0.4,
                        0.2,
                        0);
        List<Primitive> prims = new ArrayList<>();
        prims.add(new Box(s, cx, y, cz, w / 2, h / 2, t, rot));
        groups.add(new Scene.Group(prims));
    }
}
