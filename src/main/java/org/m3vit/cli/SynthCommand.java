package org.m3vit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.m3vit.data.synth.MultimodalSynthesizer;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.generalist.corpus.CorpusSynthesis;
import org.m3vit.io.Directories;
import org.m3vit.task.DatasetLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code m3vit synth}: renders a synthetic multi-task dataset in the NYUD_MT or PASCAL_MT layout. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description = "Render synthetic indoor scenes with exact ground truth for every task, written in the "
                + "NYUD_MT or PASCAL_MT on-disk layout (DIR is the dataset root), or the multimodal corpus of the "
                + "generalist (captioned images, camera-motion clips, texts and their tokenizer), and print the "
                + "synthesis rate.")
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--layout", required = true, description = "nyud, pascal or multimodal")
    String layout;

    @Option(names = "--n", required = true, description = "number of images")
    int count;

    @Option(names = "--videos", description = "multimodal: number of clips (default: half the images)")
    Integer videos;

    @Option(
            names = "--frames",
            defaultValue = "4",
            description = "multimodal: frames per clip (default ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--size", defaultValue = "128x128", description = "image size HxW (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "dataset root to create")
    Path out;

    @Option(
            names = "--split-val",
            defaultValue = "0.2",
            paramLabel = "F",
            description = "fraction of images listed in val.txt (default ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--threads", description = "worker threads (default: available processors)")
    Integer threads;

    @Option(
            names = "--overwrite",
            description = "allow writing into a non-empty DIR (files with the same names are replaced)")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        int[] hw = parseSize(size);
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if ("multimodal".equals(layout)) {
            return multimodal(hw, nThreads);
        }
        DatasetLayout l = DatasetLayout.parse(layout);
        Synthesizer.Options options = new Synthesizer.Options(l, count, hw[0], hw[1], seed, valFraction, nThreads);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " exists and is not a directory");
        }
        if (!overwrite && Directories.hasEntries(out)) {
            throw new IllegalArgumentException(out + " is not empty; choose an empty directory or pass --overwrite");
        }
        Files.createDirectories(out);
        Consumer<String> status = Progress.line();
        long start = System.nanoTime();
        int step = Math.max(1, count / 100);
        Synthesizer.Result r = Synthesizer.run(options, out, done -> {
            if (done % step == 0 || done == count) {
                double s = (System.nanoTime() - start) / 1e9;
                status.accept(String.format(Locale.ROOT, "synth %d/%d images  %.1f img/s", done, count, done / s));
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        Progress.clear();
        System.out.printf(
                Locale.ROOT,
                "wrote %d %s images (%dx%d; train %d, val %d) to %s%n",
                count,
                l.name().toLowerCase(Locale.ROOT),
                hw[0],
                hw[1],
                r.train.size(),
                r.val.size(),
                out);
        System.out.printf(
                Locale.ROOT,
                "synthesis rate: %.1f images/s (%.2f s, %d threads)%n",
                count / seconds,
                seconds,
                Math.min(nThreads, count));
        return 0;
    }

    private int multimodal(int[] hw, int nThreads) throws IOException {
        int nVideos = videos == null ? count / 2 : videos;
        MultimodalSynthesizer.Options o =
                new MultimodalSynthesizer.Options(count, nVideos, frames, hw[0], hw[1], seed, valFraction, nThreads);
        checkOut();
        Consumer<String> status = Progress.line();
        long start = System.nanoTime();
        int total = count + nVideos;
        int step = Math.max(1, total / 100);
        MultimodalSynthesizer.Result r = CorpusSynthesis.run(o, out, done -> {
            if (done % step == 0 || done == total) {
                double s = (System.nanoTime() - start) / 1e9;
                status.accept(String.format(Locale.ROOT, "synth %d/%d items  %.1f items/s", done, total, done / s));
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        Progress.clear();
        System.out.printf(
                Locale.ROOT,
                "wrote a multimodal corpus to %s: %d images and texts (train %d, val %d), %d clips of %d frames"
                        + " (train %d, val %d), %dx%d, and its tokenizer.json%n",
                out,
                count,
                r.trainImages(),
                r.valImages(),
                nVideos,
                frames,
                r.trainVideos(),
                r.valVideos(),
                hw[0],
                hw[1]);
        System.out.printf(Locale.ROOT, "synthesis rate: %.1f items/s (%.2f s)%n", total / seconds, seconds);
        return 0;
    }

    private void checkOut() throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " exists and is not a directory");
        }
        if (!overwrite && Directories.hasEntries(out)) {
            throw new IllegalArgumentException(out + " is not empty; choose an empty directory or pass --overwrite");
        }
        Files.createDirectories(out);
    }

    static int[] parseSize(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        if (p.length != 2) {
            throw new IllegalArgumentException("--size must be HxW (e.g. 128x128), got '" + s + "'");
        }
        try {
            return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size must be HxW (e.g. 128x128), got '" + s + "'");
        }
    }
}
