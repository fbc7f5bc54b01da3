package org.m3vit.data.synth;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.ImageFiles;

/**
 * Writes the multimodal synthetic corpus ({@code m3vit synth --layout multimodal}): captioned images,
 * camera-motion clips and caption-derived texts, each listed with its split and labels. Item i of each
 * kind depends only on (seed, kind, i), so the output is byte-identical for any thread count.
 *
 * <pre>
 * corpus.json                 format, version, seed, sizes, counts and every class list (below)
 * images/img_NNNNNN.png       H×W RGB
 * videos/vid_NNNNNN.png       T frames of H×W RGB stacked vertically ((T·H)×W)
 * images.jsonl                {"id", "split", "caption", "label", "count", "objects": [{"shape", "colour",
 *                             "slot", "pixels"}]}: the exact caption, the dominant object's class
 * videos.jsonl                {"id", "split", "label"}: the camera motion
 * texts.jsonl                 {"id", "split", "text", "label"}: a caption and how many objects it mentions
 * </pre>
 *
 * Classes: images "colour shape" of the object covering the most pixels (20); videos "the camera pans
 * left|pans right|moves forward|moves back" (4); texts "one object|two objects|three objects" (3). Texts are
 * the captions of the images, in the image's split; their label is the image's object count.
 */
public final class MultimodalSynthesizer {

    public static final String FORMAT = "m3vit-multimodal";
    public static final int VERSION = 1;

    private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final long IMAGE_STREAM = 1;
    private static final long VIDEO_STREAM = 2;

    /**
     * What to generate.
     *
     * @param images number of captioned images (and of texts)
     * @param videos number of clips
     * @param frames frames per clip
     */
    public record Options(
            int images, int videos, int frames, int height, int width, long seed, double valFraction, int threads) {
        public Options {
            if (images < 1) {
                throw InvalidInputException.field("images", "must be >= 1, got " + images);
            }
            if (videos < 0) {
                throw InvalidInputException.field("videos", "must be >= 0, got " + videos);
            }
            if (frames < 2 || frames > 64) {
                throw InvalidInputException.field("frames", "must be between 2 and 64, got " + frames);
            }
            if (height < 8 || width < 8 || (long) height * width > 1024L * 1024L) {
                throw InvalidInputException.field(
                        "size", "must be between 8x8 and 1024x1024, got " + height + "x" + width);
            }
            if (!(valFraction > 0 && valFraction < 1)) {
                throw InvalidInputException.field("valFraction", "must be in (0, 1), got " + valFraction);
            }
            if (threads < 1) {
                throw InvalidInputException.field("threads", "must be >= 1, got " + threads);
            }
        }
    }

    /** How many items of each split were written. */
    public record Result(int trainImages, int valImages, int trainVideos, int valVideos) {}

    private MultimodalSynthesizer() {}

    public static String imageId(int i) {
        return String.format("img_%06d", i);
    }

    public static String videoId(int i) {
        return String.format("vid_%06d", i);
    }

    /** Every image class name (colour-major). */
    public static List<String> imageClasses() {
        return CaptionedScenes.objectClasses();
    }

    public static List<String> videoClasses() {
        List<String> out = new ArrayList<>();
        for (int m = 0; m < CaptionedScenes.MOTIONS.length; m++) {
            out.add(CaptionedScenes.motionClass(m));
        }
        return out;
    }

    public static List<String> textClasses() {
        return List.of(CaptionedScenes.countClass(1), CaptionedScenes.countClass(2), CaptionedScenes.countClass(3));
    }

    /** One image's record, as images.jsonl lists it. */
    record ImageRecord(String id, String split, String caption, String label, int count, List<ObjectRecord> objects) {}

    record ObjectRecord(String shape, String colour, int slot, int pixels) {}

    /** Generates the corpus into {@code root} (which the caller has checked is empty or may be overwritten). */
    public static Result run(Options o, Path root, IntConsumer progress) throws IOException {
        Files.createDirectories(root.resolve("images"));
        Files.createDirectories(root.resolve("videos"));
        boolean[] imageVal = valMask(o.images(), o.valFraction(), o.seed(), IMAGE_STREAM);
        boolean[] videoVal = valMask(o.videos(), o.valFraction(), o.seed(), VIDEO_STREAM);
        ImageRecord[] images = new ImageRecord[o.images()];
        int[] motions = new int[o.videos()];
        AtomicInteger done = new AtomicInteger();
        int total = o.images() + o.videos();
        parallel(o.threads(), total, i -> {
            if (i < o.images()) {
                images[i] = image(o, root, i, imageVal[i] ? "val" : "train");
            } else {
                int v = i - o.images();
                motions[v] = video(o, root, v);
            }
            progress.accept(done.incrementAndGet());
        });
        StringBuilder imagesJsonl = new StringBuilder();
        StringBuilder textsJsonl = new StringBuilder();
        int trainImages = 0;
        for (int i = 0; i < images.length; i++) {
            ImageRecord r = images[i];
            imagesJsonl.append(JSON.toJson(r)).append('\n');
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", String.format("txt_%06d", i));
            t.put("split", r.split());
            t.put("text", r.caption());
            t.put("label", CaptionedScenes.countClass(r.count()));
            textsJsonl.append(JSON.toJson(t)).append('\n');
            trainImages += r.split().equals("train") ? 1 : 0;
        }
        StringBuilder videosJsonl = new StringBuilder();
        int trainVideos = 0;
        for (int v = 0; v < motions.length; v++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", videoId(v));
            m.put("split", videoVal[v] ? "val" : "train");
            m.put("label", CaptionedScenes.motionClass(motions[v]));
            videosJsonl.append(JSON.toJson(m)).append('\n');
            trainVideos += videoVal[v] ? 0 : 1;
        }
        AtomicFiles.write(root.resolve("images.jsonl"), imagesJsonl.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(root.resolve("texts.jsonl"), textsJsonl.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(root.resolve("videos.jsonl"), videosJsonl.toString().getBytes(StandardCharsets.UTF_8));
        Map<String, Object> corpus = new LinkedHashMap<>();
        corpus.put("format", FORMAT);
        corpus.put("version", VERSION);
        corpus.put("seed", o.seed());
        corpus.put("image_size", List.of(o.height(), o.width()));
        corpus.put("frames", o.frames());
        corpus.put("images", o.images());
        corpus.put("videos", o.videos());
        corpus.put("image_classes", imageClasses());
        corpus.put("video_classes", videoClasses());
        corpus.put("text_classes", textClasses());
        AtomicFiles.write(
                root.resolve("corpus.json"),
                new GsonBuilder()
                        .setPrettyPrinting()
                        .disableHtmlEscaping()
                        .create()
                        .toJson(corpus)
                        .getBytes(StandardCharsets.UTF_8));
        return new Result(trainImages, o.images() - trainImages, trainVideos, o.videos() - trainVideos);
    }

    private static ImageRecord image(Options o, Path root, int i, String split) {
        SplittableRandom rng = new SplittableRandom(Synthesizer.imageSeed(o.seed() * 31 + IMAGE_STREAM, i));
        CaptionedScenes.Drawn drawn = CaptionedScenes.draw(rng, -1, 1);
        Frame frame = RayCaster.render(drawn.views()[0], o.height(), o.width(), rng.split());
        int[] pixels = new int[drawn.objects().size()];
        for (int s : frame.surface) {
            for (int k = 0; k < pixels.length; k++) {
                if (drawn.objects().get(k).surface() == s) {
                    pixels[k]++;
                }
            }
        }
        int dominant = 0;
        List<ObjectRecord> objects = new ArrayList<>();
        for (int k = 0; k < pixels.length; k++) {
            CaptionedScenes.Placed p = drawn.objects().get(k);
            objects.add(new ObjectRecord(
                    CaptionedScenes.SHAPES[p.shape()], CaptionedScenes.COLOURS[p.colour()], p.slot(), pixels[k]));
            if (pixels[k] > pixels[dominant]) {
                dominant = k;
            }
        }
        CaptionedScenes.Placed d = drawn.objects().get(dominant);
        write(root.resolve("images").resolve(imageId(i) + ".png"), o.height(), o.width(), frame.rgb);
        return new ImageRecord(
                imageId(i),
                split,
                CaptionedScenes.caption(drawn.objects()),
                CaptionedScenes.objectClass(d.colour(), d.shape()),
                drawn.objects().size(),
                objects);
    }

    private static int video(Options o, Path root, int v) {
        SplittableRandom rng = new SplittableRandom(Synthesizer.imageSeed(o.seed() * 31 + VIDEO_STREAM, v));
        int motion = rng.nextInt(CaptionedScenes.MOTIONS.length);
        CaptionedScenes.Drawn drawn = CaptionedScenes.draw(rng, motion, o.frames());
        byte[] strip = new byte[o.frames() * o.height() * o.width() * 3];
        SplittableRandom noise = rng.split();
        for (int f = 0; f < o.frames(); f++) {
            Frame frame = RayCaster.render(drawn.views()[f], o.height(), o.width(), noise);
            System.arraycopy(frame.rgb, 0, strip, f * frame.rgb.length, frame.rgb.length);
        }
        write(root.resolve("videos").resolve(videoId(v) + ".png"), o.frames() * o.height(), o.width(), strip);
        return motion;
    }

    private static void write(Path file, int height, int width, byte[] rgb) {
        try {
            AtomicFiles.write(file, ImageFiles.rgbPng(height, width, rgb));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A seeded choice of round(F·n) items for val (at least one when n ≥ 2, never all). */
    static boolean[] valMask(int n, double valFraction, long seed, long stream) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(Synthesizer.imageSeed(seed * 31 + stream, -1)));
        int nVal = n < 2 ? 0 : Math.max(1, Math.min(n - 1, (int) Math.round(valFraction * n)));
        boolean[] val = new boolean[n];
        for (int k = 0; k < nVal; k++) {
            val[order.get(k)] = true;
        }
        return val;
    }

    private static void parallel(int threads, int count, IntConsumer body) throws IOException {
        int n = Math.max(1, Math.min(threads, count));
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "m3vit-synth");
            t.setDaemon(true);
            return t;
        });
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        body.accept(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("synthesis interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c);
        } finally {
            pool.shutdownNow();
        }
    }
}
