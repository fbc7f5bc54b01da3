package org.m3vit.data.synth;

/**
 * What a ray hit: the semantic labels of the object (class, instance, person part) and its material.
 * Several primitives of one object share a Surface instance id but may differ in material/part.
 */
final class Surface {

    final SceneClass cls;
    /** Object instance id (room surfaces and every object get their own). */
    final int instance;
    /** Index of the person this surface belongs to, or -1. */
    final int person;
    /** PASCAL-Part name of the body part (e.g. "ruarm"), or null. */
    final String partName;

    final double r1;
    final double g1;
    final double b1;
    final double r2;
    final double g2;
    final double b2;
    final Texture texture;
    final double textureScale;
    final double specular;
    /** Light emitted by the surface itself (lamp shades, TV screens), added to the shading. */
    final double emission;

    Surface(
            SceneClass cls,
            int instance,
            int person,
            String partName,
            double[] colour1,
            double[] colour2,
            Texture texture,
            double textureScale,
            double specular,
            double emission) {
        this.cls = cls;
        this.instance = instance;
        this.person = person;
        this.partName = partName;
        this.r1 = colour1[0];
        this.g1 = colour1[1];
        this.b1 = colour1[2];
        this.r2 = colour2[0];
        this.g2 = colour2[1];
        this.b2 = colour2[2];
        this.texture = texture;
        this.textureScale = textureScale;
        this.specular = specular;
        this.emission = emission;
    }
}
