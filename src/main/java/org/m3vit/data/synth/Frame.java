package org.m3vit.data.synth;

/**
 * One rendered view with exact per-pixel ground truth: which surface was hit (index into the scene's
 * surfaces), depth along the camera axis in metres, and the unit surface normal in the camera frame
 * (x right, y up, z towards the viewer).
 */
final class Frame {
    final int height;
    final int width;
    final byte[] rgb;
    final int[] surface;
    final float[] depth;
    final float[] normals;

    Frame(int height, int width) {
        this.height = height;
        this.width = width;
        this.rgb = new byte[height * width * 3];
        this.surface = new int[height * width];
        this.depth = new float[height * width];
        this.normals = new float[height * width * 3];
    }
}
