package org.m3vit.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.m3vit.demo.Demo;
import org.m3vit.demo.GeneralistDemo;
import org.m3vit.demo.GeneralistReport;
import org.m3vit.report.TextTable;
import org.m3vit.task.DatasetLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit demo}: synthesise, train dense ViT and M³ViT, evaluate, report. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "The main job, end to end on synthetic data: synthesise a PASCAL- (or NYUD-) layout dataset (unless"
                        + " --data already holds one), train the dense multi-task ViT and M³ViT (multi-gate MoE) on the same"
                        + " data and budget, evaluate both together with their untrained initialisations and a trivial"
                        + " predictor, write a report (report.md + PNG plots) and print the comparison table.")
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Demo directory: data/, runs/, report/ (default: runs/demo, or runs/demo-generalist with"
                    + " --generalist). A re-run replaces its previous runs and report and reuses its data.")
    Path out;

    @Option(
            names = "--generalist",
            description = "The Uni-Perceiver-MoE demo instead: the multimodal corpus, the dense generalist and the five"
                    + " routing levels, interference, zero-shot, prompt tuning, expert-activation maps"
                    + " (docs/generalist.md).")
    boolean generalist;

    @Option(
            names = "--generalist-config",
            paramLabel = "G.yml",
            description = "With --generalist: the base config (default: configs/generalist/small.yml).")
    Path generalistConfig;

    @Option(
            names = "--steps",
            paramLabel = "FULL,REDUCED",
            split = ",",
            description = "With --generalist: training steps of the dense and attribute models, and of the other"
                    + " routing levels (default: 1500,1500, the same budget for all; at 1200 the task-routed"
                    + " model's greedy captions stopped after one object).")
    List<Integer> steps;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Dataset root (default: <out>/data); synthesised if" + " missing or empty.")
    Path data;

    @Option(
            names = "--images",
            defaultValue = "600",
            description = "Images to synthesise, 20%% of them for val" + " (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--epochs", description = "Epochs for both models (default: the configs' own).")
    Integer epochs;

    @Option(
            names = "--layout",
            defaultValue = "pascal",
            description = "Demo dataset: pascal (semseg, human_parts,"
                    + " sal, normals, edge) or nyud (semseg, normals, edge, depth); picks the default configs (default:"
                    + " ${DEFAULT-VALUE}).")
    String layout;

    @Option(
            names = "--dense-config",
            paramLabel = "C.yml",
            description =
                    "Dense baseline config (default:" + " configs/synth/vit/demo_<layout>.yml in the m3vit directory).")
    Path denseConfig;

    @Option(
            names = "--moe-config",
            paramLabel = "C.yml",
            description =
                    "M³ViT config (default:" + " configs/synth/vit_moe/demo_<layout>.yml in the m3vit directory).")
    Path moeConfig;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the data, the initialisation and training" + " (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--examples",
            defaultValue = "4",
            description = "Val images in the example grid (default:" + " ${DEFAULT-VALUE}).")
    int examples;

    @Option(
            names = "--validate",
            description = "Score the val split after every epoch too: validation curves in the"
                    + " report, about 10 s more per epoch and model.")
    boolean validate;

    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        int threads = threadsOption.apply();
        if (generalist) {
            return generalist();
        }
        if (out == null) {
            out = Path.of("runs/demo");
        }
        String db = DatasetLayout.parse(layout).shortName();
        Path dense = denseConfig != null ? denseConfig : Install.path("configs/synth/vit/demo_" + db + ".yml");
        Path moe = moeConfig != null ? moeConfig : Install.path("configs/synth/vit_moe/demo_" + db + ".yml");
        Consumer<String> line = Progress.line();
        Consumer<String> log = s -> {
            Progress.clear();
            System.err.println(s);
        };
        Demo.Result r = Demo.run(
                new Demo.Settings(
                        out,
                        data != null ? data : out.resolve("data"),
                        dense,
                        moe,
                        images,
                        epochs,
                        seed,
                        examples,
                        threads,
                        validate),
                line,
                log);
        Progress.clear();
        System.out.println();
        System.out.print(r.comparison().toText());
        System.out.println();
        System.out.print(r.comparison().verdictText());
        System.out.println();
        System.out.print(r.costTable(false));
        printReportAndTime(r.report(), r.seconds());
        return 0;
    }

    private int generalist() throws Exception {
        Path o = out != null ? out : Path.of("runs/demo-generalist");
        List<Integer> st = steps != null ? steps : List.of(1500, 1500);
        if (st.size() != 2 || st.get(0) < 1 || st.get(1) < 1) {
            throw new IllegalArgumentException("--steps expects two positive step counts FULL,REDUCED, got " + st);
        }
        Path config = generalistConfig != null ? generalistConfig : Install.path("configs/generalist/small.yml");
        Consumer<String> line = Progress.line();
        Consumer<String> log = s -> {
            Progress.clear();
            System.err.println(s);
        };
        GeneralistDemo.Result r = GeneralistDemo.run(
                new GeneralistDemo.Settings(o, config, 1200, 600, st.get(0), st.get(1), 150, 48, 200, 100, seed),
                line,
                log);
        Progress.clear();
        var cmp = GeneralistReport.comparison(r.models());
        System.out.println();
        System.out.print(TextTable.text(cmp.get(0), cmp.subList(1, cmp.size())));
        System.out.println();
        var ad = GeneralistReport.adaptation(r.adaptations());
        System.out.print(TextTable.text(ad.get(0), ad.subList(1, ad.size())));
        System.out.println();
        for (String v : GeneralistReport.verdicts(r.models(), r.adaptations())) {
            System.out.println("* " + v);
        }
        printReportAndTime(r.report(), r.seconds());
        return 0;
    }

    private static void printReportAndTime(Path report, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "%nreport: %s%ntotal time: %d:%02d%n",
                report,
                Math.round(seconds) / 60,
                Math.round(seconds) % 60);
    }
}
