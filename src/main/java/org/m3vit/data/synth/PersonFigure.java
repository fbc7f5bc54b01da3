package org.m3vit.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A jointed figure of capsules and spheres standing on the floor: head (+ hair), neck, torso, upper and
 * lower arms with hands, upper and lower legs with feet. Every body part is its own surface carrying a
 * real PASCAL-Part part name ('head', 'hair', 'neck', 'torso', 'luarm', 'rlarm', 'lhand', 'ruleg',
 * 'llleg', 'rfoot', …), so the human-parts ground truth goes through the reader's name → group mapping.
 * Sides are the figure's own left/right.
 */
final class PersonFigure {

    private PersonFigure() {}

    /**
     * Adds one person at floor position (x, z) facing {@code yaw}; returns its primitives as five groups
     * (head and torso, each arm, each leg) so rays that miss a limb skip its capsules after one test.
     */
    static List<Scene.Group> build(
            SplittableRandom rng, List<Surface> surfaces, int instance, int person, double x, double z, double yaw) {
        double hb = 1.55 + rng.nextDouble() * 0.3;
        double[] skin = Colours.around(rng, 0.07, 0.03, 0.3, 0.6, 0.45, 0.95);
        double[] shirt = Colours.around(rng, rng.nextDouble(), 0.0, 0.3, 0.9, 0.3, 0.9);
        double[] trousers = Colours.around(rng, rng.nextDouble(), 0.0, 0.2, 0.7, 0.15, 0.6);
        double[] hair = Colours.around(rng, 0.08, 0.04, 0.3, 0.8, 0.05, 0.4);
        double[] shoes = Colours.around(rng, 0.05, 0.05, 0.1, 0.5, 0.05, 0.25);
        Parts parts = new Parts(surfaces, instance, person, rng);

        // Joint positions in the figure's frame: x = its left, y = up, z = forward. Built hip-up then shifted
        // so the lowest point touches the floor.
        List<double[]> caps = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<double[]> colours = new ArrayList<>();
        double pelvis = 0.53 * hb;
        double shoulderY = 0.81 * hb;
        addCap(caps, names, colours, "torso", shirt, 0, pelvis + 0.02 * hb, 0, 0, shoulderY - 0.04 * hb, 0, 0.085 * hb);
        addCap(caps, names, colours, "neck", skin, 0, shoulderY - 0.02 * hb, 0, 0, 0.87 * hb, 0, 0.028 * hb);
        double headY = 0.925 * hb;
        addCap(caps, names, colours, "head", skin, 0, headY, 0.005 * hb, 0, headY, 0.005 * hb, 0.058 * hb);
        addCap(
                caps,
                names,
                colours,
                "hair",
                hair,
                0,
                headY + 0.016 * hb,
                -0.01 * hb,
                0,
                headY + 0.016 * hb,
                -0.01 * hb,
                0.055 * hb);
        for (int side = 0; side < 2; side++) {
            double sx = side == 0 ? 1 : -1; // +x is the figure's left
            String s = side == 0 ? "l" : "r";
            // Arm: swing forward/back, abduction away from the body, elbow bend forward.
            double swing = Math.toRadians(-35 + rng.nextDouble() * 95);
            double abd = Math.toRadians(6 + rng.nextDouble() * 40);
            double bend = Math.toRadians(rng.nextDouble() * 100);
            double[] sh = {sx * 0.115 * hb, shoulderY - 0.01 * hb, 0};
            double[] elbow = limb(sh, 0.17 * hb, swing, sx * abd);
            double[] wrist = limb(elbow, 0.15 * hb, swing + bend, sx * abd * 0.7);
            double[] hand = limb(wrist, 0.045 * hb, swing + bend, sx * abd * 0.7);
            addCap(
                    caps,
                    names,
                    colours,
                    s + "uarm",
                    shirt,
                    sh[0],
                    sh[1],
                    sh[2],
                    elbow[0],
                    elbow[1],
                    elbow[2],
                    0.027 * hb);
            addCap(
                    caps,
                    names,
                    colours,
                    s + "larm",
                    skin,
                    elbow[0],
                    elbow[1],
                    elbow[2],
                    wrist[0],
                    wrist[1],
                    wrist[2],
                    0.022 * hb);
            addCap(
                    caps,
                    names,
                    colours,
                    s + "hand",
                    skin,
                    hand[0],
                    hand[1],
                    hand[2],
                    hand[0],
                    hand[1],
                    hand[2],
                    0.03 * hb);
            // Leg: swing at the hip, knee bends backwards.
            double legSwing = Math.toRadians(-25 + rng.nextDouble() * 50);
            double knee = Math.toRadians(rng.nextDouble() * 45);
            double[] hip = {sx * 0.05 * hb, pelvis, 0};
            double[] kn = limb(hip, 0.245 * hb, legSwing, sx * Math.toRadians(3));
            double[] ankle = limb(kn, 0.235 * hb, legSwing - knee, 0);
            double[] toe = {ankle[0], ankle[1] - 0.01 * hb, ankle[2] + 0.075 * hb};
            addCap(caps, names, colours, s + "uleg", trousers, hip[0], hip[1], hip[2], kn[0], kn[1], kn[2], 0.045 * hb);
            addCap(
                    caps,
                    names,
                    colours,
                    s + "lleg",
                    trousers,
                    kn[0],
                    kn[1],
                    kn[2],
                    ankle[0],
                    ankle[1],
                    ankle[2],
                    0.034 * hb);
            addCap(
                    caps,
                    names,
                    colours,
                    s + "foot",
                    shoes,
                    ankle[0],
                    ankle[1],
                    ankle[2],
                    toe[0],
                    toe[1],
                    toe[2],
                    0.025 * hb);
        }
        double lowest = Double.MAX_VALUE;
        for (double[] c : caps) {
            lowest = Math.min(lowest, Math.min(c[1], c[4]) - c[6]);
        }
        double cos = Math.cos(yaw);
        double sin = Math.sin(yaw);
        List<List<Primitive>> limbs = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            limbs.add(new ArrayList<>());
        }
        for (int k = 0; k < caps.size(); k++) {
            double[] c = caps.get(k);
            int surf = parts.surface(names.get(k), colours.get(k));
            double[] a = place(c[0], c[1] - lowest, c[2], x, z, cos, sin);
            double[] b = place(c[3], c[4] - lowest, c[5], x, z, cos, sin);
            limbs.get(limb(names.get(k))).add(new Capsule(surf, a[0], a[1], a[2], b[0], b[1], b[2], c[6]));
        }
        List<Scene.Group> groups = new ArrayList<>();
        for (List<Primitive> l : limbs) {
            groups.add(new Scene.Group(l));
        }
        return groups;
    }

    /** 0 head/torso, 1 left arm, 2 right arm, 3 left leg, 4 right leg. */
    private static int limb(String part) {
        if (part.length() == 5 && (part.endsWith("arm") || part.endsWith("leg"))
                || part.endsWith("hand")
                || part.endsWith("foot")) {
            int side = part.charAt(0) == 'l' ? 0 : 1;
            boolean arm = part.endsWith("arm") || part.endsWith("hand");
            return (arm ? 1 : 3) + side;
        }
        return 0;
    }

    /** End of a limb of length len hanging down from {@code from}, swung by pitch (forward) and roll (sideways). */
    private static double[] limb(double[] from, double len, double pitch, double roll) {
        double dx = Math.sin(roll) * Math.cos(pitch);
        double dy = -Math.cos(roll) * Math.cos(pitch);
        double dz = Math.sin(pitch);
        double n = Math.sqrt(dx * dx + dy * dy + dz * dz);
        return new double[] {from[0] + len * dx / n, from[1] + len * dy / n, from[2] + len * dz / n};
    }

    private static void addCap(
            List<double[]> caps,
            List<String> names,
            List<double[]> colours,
            String name,
            double[] colour,
            double ax,
            double ay,
            double az,
            double bx,
            double by,
            double bz,
            double r) {
        caps.add(new double[] {ax, ay, az, bx, by, bz, r});
        names.add(name);
        colours.add(colour);
    }

    /** Figure frame → world: rotate by yaw about +y (figure forward +z maps to (sin yaw, 0, cos yaw)), translate. */
    private static double[] place(double lx, double ly, double lz, double x, double z, double cos, double sin) {
        return new double[] {x + cos * lx + sin * lz, ly, z - sin * lx + cos * lz};
    }

    /** Creates one surface per part name (same instance and person), with a little shading variety. */
    private static final class Parts {
        private final List<Surface> surfaces;
        private final int instance;
        private final int person;
        private final SplittableRandom rng;

        Parts(List<Surface> surfaces, int instance, int person, SplittableRandom rng) {
            this.surfaces = surfaces;
            this.instance = instance;
            this.person = person;
            this.rng = rng;
        }

        int surface(String partName, double[] colour) {
            boolean cloth = !partName.endsWith("hand")
                    && !partName.equals("head")
                    && !partName.equals("neck")
                    && !partName.endsWith("larm");
            surfaces.add(new Surface(
                    SceneClass.PERSON,
                    instance,
                    person,
                    partName,
                    colour,
                    Colours.scale(colour, 0.75),
                    cloth ? Texture.NOISE : Texture.PLAIN,
                    9 + rng.nextDouble() * 6,
                    cloth ? 0 : 0.15,
                    0));
            return surfaces.size() - 1;
        }
    }
}
