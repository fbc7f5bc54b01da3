package org.m3vit.accel;

import java.util.List;

/**
 * Where the tokens of each image went: for every image, for every MoE block (in config order), the queue
 * length of each expert.
 *
 * @param source how the routing was obtained, for reports ("uniform", "zipf:1.2", "trace t.json", "forward …")
 */
public record Routing(String source, List<Image> images) {

    /** One image's queue lengths, {@code queueLengths[m][e]} for the m-th MoE block and expert e. */
    public record Image(String id, int[][] queueLengths) {
        public Image {
            queueLengths = deepCopy(queueLengths);
        }

        @Override
        public int[][] queueLengths() {
            return deepCopy(queueLengths);
        }
    }

    public Routing {
        images = List.copyOf(images);
        if (images.isEmpty()) {
            throw new IllegalArgumentException("routing " + source + " has no images");
        }
    }

    private static int[][] deepCopy(int[][] a) {
        int[][] c = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
