package org.m3vit.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The scenes of the multimodal corpus, drawn with the same ray caster, primitives and materials as the
 * dense-task scenes: a plain room with one to three objects standing in a row in front of the camera, so
 * that everything a caption says is exact. Each object has a shape (ball, box, can, tower) and a colour
 * (red, yellow, green, blue, purple); they stand in up to three slots (left, middle, right) across the
 * view. A clip is the same kind of scene seen by a camera that pans or moves over a few frames.
 */
final class CaptionedScenes {

    static final String[] SHAPES = {"ball", "box", "can", "tower"};
    static final String[] COLOURS = {"red", "yellow", "green", "blue", "purple"};
    private static final double[] HUES = {0.0, 0.15, 0.33, 0.62, 0.8};
    static final String[] MOTIONS = {"pans left", "pans right", "moves forward", "moves back"};

    /**
     * Slot centres across the view (world x at the row's depth). The camera looks along +z with its right
     * vector along −x, so the image's left is world +x.
     */
    private static final double[] SLOT_X = {0.62, 0.0, -0.62};

    private static final double ROW_Z = 0.0;
    private static final double CAMERA_Z = -1.8;

    /** One object: its shape, colour and slot (0 left, 1 middle, 2 right), and the surface it was drawn with. */
    record Placed(int shape, int colour, int slot, int surface) {}

    /** A drawn scene: what is in it, and the objects' ray-casting scene seen from {@code frames} cameras. */
    record Drawn(List<Placed> objects, Scene[] views) {}

    private CaptionedScenes() {}

    /**
     * A scene of 1–3 objects seen from one camera ({@code motion} < 0) or from {@code frames} cameras moving
     * as {@link #MOTIONS}[{@code motion}] says.
     */
    static Drawn draw(SplittableRandom rng, int motion, int frames) {
        List<Surface> surfaces = new ArrayList<>();
        int wall = surfaces.size();
        double[] wallColour = Colours.around(rng, rng.nextDouble(), 0, 0.05, 0.2, 0.55, 0.75);
        surfaces.add(new Surface(
                SceneClass.WALL, 0, -1, null, wallColour, Colours.scale(wallColour, 0.9), Texture.PLAIN, 1, 0, 0.02));
        int floor = surfaces.size();
        double[] floorColour = Colours.around(rng, rng.nextDouble(), 0, 0.0, 0.15, 0.3, 0.45);
        surfaces.add(new Surface(
                SceneClass.FLOOR,
                1,
                -1,
                null,
                floorColour,
                Colours.scale(floorColour, 0.8),
                Texture.CHECKER,
                2,
                0.1,
                0));
        int ceiling = surfaces.size();
        double[] ceilingColour = {0.85, 0.85, 0.85};
        surfaces.add(
                new Surface(SceneClass.CEILING, 2, -1, null, ceilingColour, ceilingColour, Texture.PLAIN, 1, 0, 0.05));

        int count = 1 + rng.nextInt(3);
        boolean[] used = new boolean[SLOT_X.length];
        List<Integer> slots = new ArrayList<>();
        while (slots.size() < count) {
            int s = rng.nextInt(SLOT_X.length);
            if (!used[s]) {
                used[s] = true;
                slots.add(s);
            }
        }
        slots.sort(null);
        List<Placed> objects = new ArrayList<>();
        int big = rng.nextInt(count);
        List<Scene.Group> groups = new ArrayList<>();
        int previousShape = -1;
        int previousColour = -1;
        for (int slot : slots) {
            int shape;
            int colour;
            if (previousShape >= 0 && rng.nextDouble() < 0.2) { // a run of identical objects ("two red balls")
                shape = previousShape;
                colour = previousColour;
            } else {
                shape = rng.nextInt(SHAPES.length);
                colour = rng.nextInt(COLOURS.length);
            }
            previousShape = shape;
            previousColour = colour;
            double[] c =
                    Colours.hsv(HUES[colour] + (rng.nextDouble() - 0.5) * 0.03, 0.75 + 0.2 * rng.nextDouble(), 0.8);
            int surface = surfaces.size();
            surfaces.add(new Surface(
                    SceneClass.BALL,
                    3 + objects.size(),
                    -1,
                    null,
                    c,
                    Colours.scale(c, 0.85),
                    Texture.PLAIN,
                    1,
                    0.3,
                    0));
            double x = SLOT_X[slot] + (rng.nextDouble() - 0.5) * 0.08;
            double z = ROW_Z + (rng.nextDouble() - 0.5) * 0.2;
            // one object is drawn larger, so the image's dominant object is clear to see
            double size = (objects.size() == big ? 1.0 : 0.62) + 0.12 * rng.nextDouble();
            List<Primitive> parts = new ArrayList<>();
            switch (shape) {
                case 0 -> parts.add(new Sphere(surface, x, 0.34 * size, z, 0.34 * size));
                case 1 -> parts.add(new Box(
                        surface, x, 0.3 * size, z, 0.3 * size, 0.3 * size, 0.3 * size, rng.nextDouble() * Math.PI));
                case 2 -> parts.add(new Cylinder(surface, x, 0, z, 0.62 * size, 0.3 * size));
                default -> parts.add(new Box(
                        surface, x, 0.6 * size, z, 0.17 * size, 0.6 * size, 0.17 * size, rng.nextDouble() * Math.PI));
            }
            groups.add(new Scene.Group(parts));
            objects.add(new Placed(shape, colour, slot, surface));
        }
        double[][] lights = {{0.4 * (rng.nextDouble() - 0.5), 2.7, CAMERA_Z + 0.5 + rng.nextDouble(), 1.3}};
        double ambient = 0.25;
        double camY = 0.9 + 0.15 * rng.nextDouble();
        double pitch = Math.toRadians(17 + 4 * rng.nextDouble());
        double yaw0 = Math.toRadians((rng.nextDouble() - 0.5) * 6);
        int n = motion < 0 ? 1 : frames;
        Scene[] views = new Scene[n];
        for (int f = 0; f < n; f++) {
            double t = f; // every clip starts from the scene's rest view
            double yaw = yaw0;
            double cz = CAMERA_Z;
            switch (motion) {
                case 0 -> yaw = yaw0 + Math.toRadians(15) * t; // pans left: the view turns towards +x (image left)
                case 1 -> yaw = yaw0 - Math.toRadians(15) * t;
                case 2 -> cz = CAMERA_Z + 0.4 * t;
                case 3 -> cz = CAMERA_Z - 0.4 * t;
                default -> {}
            }
            Camera camera = new Camera(0, camY, cz, yaw, pitch, 62);
            views[f] = new Scene(
                    -3.2, 3.2, 3.0, -4.0, 3.0, wall, floor, ceiling, surfaces, groups, lights, ambient, camera, 0);
        }
        return new Drawn(objects, views);
    }

    /**
     * The exact caption: the objects from left to right, with runs of identical neighbours counted ("two red
     * balls"); one run is its phrase, two are "X left of Y", three are "X , Y and Z from left to right".
     */
    static String caption(List<Placed> objects) {
        List<String> runs = new ArrayList<>();
        int i = 0;
        while (i < objects.size()) {
            Placed p = objects.get(i);
            int j = i + 1;
            while (j < objects.size()
                    && objects.get(j).shape() == p.shape()
                    && objects.get(j).colour() == p.colour()) {
                j++;
            }
            int n = j - i;
            String noun = SHAPES[p.shape()];
            runs.add(
                    n == 1
                            ? "a " + COLOURS[p.colour()] + " " + noun
                            : (n == 2 ? "two " : "three ") + COLOURS[p.colour()] + " " + plural(noun));
            i = j;
        }
        return switch (runs.size()) {
            case 1 -> runs.get(0);
            case 2 -> runs.get(0) + " left of " + runs.get(1);
            default -> runs.get(0) + " , " + runs.get(1) + " and " + runs.get(2) + " from left to right";
        };
    }

    static String plural(String noun) {
        return noun.endsWith("x") ? noun + "es" : noun + "s";
    }

    /** The name of image class "colour shape" (the dominant object's). */
    static String objectClass(int colour, int shape) {
        return COLOURS[colour] + " " + SHAPES[shape];
    }

    /** Every image class name, colour-major. */
    static List<String> objectClasses() {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < COLOURS.length; c++) {
            for (int s = 0; s < SHAPES.length; s++) {
                out.add(objectClass(c, s));
            }
        }
        return out;
    }

    /** The name of video class {@code motion}. */
    static String motionClass(int motion) {
        return "the camera " + MOTIONS[motion];
    }

    /** The name of text class "how many objects the caption mentions". */
    static String countClass(int count) {
        return switch (count) {
            case 1 -> "one object";
            case 2 -> "two objects";
            default -> "three objects";
        };
    }
}
