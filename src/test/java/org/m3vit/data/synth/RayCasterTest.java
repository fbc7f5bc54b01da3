package org.m3vit.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.m3vit.task.DatasetLayout;

class RayCasterTest {

    @Test
    void screenSpaceCullingNeverChangesTheNearestHit() {
        // The renderer only tests objects whose projected bounding box covers the pixel; an unculled
        // trace against every object must find the same surface and distance everywhere.
        for (int idx = 0; idx < 12; idx++) {
            DatasetLayout layout = idx % 2 == 0 ? DatasetLayout.PASCAL : DatasetLayout.NYUD;
            SplittableRandom rng = new SplittableRandom(Synthesizer.imageSeed(3, idx));
            Scene s = SceneBuilder.build(layout, rng);
            int h = 30;
            int w = 44;
            Frame f = RayCaster.render(s, h, w, rng.split());
            Camera c = s.camera;
            double tanX = c.tanHalfFovX;
            double tanY = tanX * h / w;
            Hit hit = new Hit();
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double sx = (2 * (j + 0.5) / w - 1) * tanX;
                    double sy = (1 - 2 * (i + 0.5) / h) * tanY;
                    double dx = c.forward[0] + sx * c.right[0] + sy * c.up[0];
                    double dy = c.forward[1] + sx * c.right[1] + sy * c.up[1];
                    double dz = c.forward[2] + sx * c.right[2] + sy * c.up[2];
                    double n = Math.sqrt(dx * dx + dy * dy + dz * dz);
                    RayCaster.trace(s, c.px, c.py, c.pz, dx / n, dy / n, dz / n, hit);
                    assertEquals(hit.surface, f.surface[i * w + j], "scene " + idx + " pixel " + i + "," + j);
                }
            }
        }
    }

    @Test
    void sphereDepthAndNormalMatchClosedForm() {
        // A unit-radius sphere 4 m straight ahead of a level camera: the centre pixel ray hits it at
        // depth 3 with normal (0, 0, 1) pointing back at the camera.
        List<Surface> surfaces = new ArrayList<>();
        double[] grey = {0.5, 0.5, 0.5};
        for (SceneClass cls :
                new SceneClass[] {SceneClass.WALL, SceneClass.FLOOR, SceneClass.CEILING, SceneClass.BALL}) {
            surfaces.add(new Surface(cls, surfaces.size(), -1, null, grey, grey, Texture.PLAIN, 1, 0, 0));
        }
        Camera cam = new Camera(0, 1.5, -2, 0, 0, 60);
        List<Scene.Group> groups = new ArrayList<>();
        groups.add(new Scene.Group(List.of(new Sphere(3, 0, 1.5, 2, 1))));
        Scene s = new Scene(-5, 5, 3, -5, 5, 0, 1, 2, surfaces, groups, new double[][] {{0, 2.9, 0, 1}}, 0.2, cam, 0);
        int n = 41;
        Frame f = RayCaster.render(s, n, n, new SplittableRandom(1));
        int centre = (n / 2) * n + n / 2;
        assertEquals(3, f.surface[centre]);
        assertEquals(3.0, f.depth[centre], 1e-5);
        assertEquals(0.0, f.normals[3 * centre], 1e-6);
        assertEquals(0.0, f.normals[3 * centre + 1], 1e-6);
        assertEquals(1.0, f.normals[3 * centre + 2], 1e-6);
        // A corner pixel sees the room: the far wall is at z = 5, 7 m ahead along the axis, or nearer walls.
        assertTrue(f.surface[0] != 3);
        assertTrue(f.depth[0] <= 7 + 1e-5);
    }

    @Test
    void lightConeCullingIsConservative() {
        // For every visible surface point, light and object: whenever the object really blocks the
        // segment to the light, the cone test must have let it through.
        int blocked = 0;
        for (int idx = 0; idx < 8; idx++) {
            SplittableRandom rng = new SplittableRandom(Synthesizer.imageSeed(5, idx));
            Scene s = SceneBuilder.build(DatasetLayout.PASCAL, rng);
            double[][] cones = RayCaster.lightCones(s);
            int h = 24;
            int w = 32;
            Camera c = s.camera;
            double tanX = c.tanHalfFovX;
            double tanY = tanX * h / w;
            Hit hit = new Hit();
            Hit shadow = new Hit();
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double sx = (2 * (j + 0.5) / w - 1) * tanX;
                    double sy = (1 - 2 * (i + 0.5) / h) * tanY;
                    double dx = c.forward[0] + sx * c.right[0] + sy * c.up[0];
                    double dy = c.forward[1] + sx * c.right[1] + sy * c.up[1];
                    double dz = c.forward[2] + sx * c.right[2] + sy * c.up[2];
                    double n = Math.sqrt(dx * dx + dy * dy + dz * dz);
                    RayCaster.trace(s, c.px, c.py, c.pz, dx / n, dy / n, dz / n, hit);
                    double px = c.px + hit.t * dx / n;
                    double py = c.py + hit.t * dy / n;
                    double pz = c.pz + hit.t * dz / n;
                    double sign = hit.nx * dx + hit.ny * dy + hit.nz * dz > 0 ? -1 : 1;
                    double ox = px + sign * hit.nx * 1e-4;
                    double oy = py + sign * hit.ny * 1e-4;
                    double oz = pz + sign * hit.nz * 1e-4;
                    for (int li = 0; li < s.lights.length; li++) {
                        double[] l = s.lights[li];
                        double lx = l[0] - px;
                        double ly = l[1] - py;
                        double lz = l[2] - pz;
                        double dist = Math.sqrt(lx * lx + ly * ly + lz * lz);
                        for (int g = 0; g < s.groups.length; g++) {
                            if (RayCaster.blocks(
                                    s.groups[g], ox, oy, oz, lx / dist, ly / dist, lz / dist, dist, shadow)) {
                                blocked++;
                                assertTrue(
                                        RayCaster.inCone(cones[li], g, lx / dist, ly / dist, lz / dist, dist),
                                        "scene " + idx + " pixel " + i + "," + j + " light " + li + " group " + g);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(blocked > 100, "the scenes have shadows: " + blocked);
    }
}
