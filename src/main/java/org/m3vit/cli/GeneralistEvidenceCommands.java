package org.m3vit.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.m3vit.generalist.GeneralistArtifact;
import org.m3vit.generalist.evidence.Contexts;
import org.m3vit.generalist.evidence.EvidenceTables;
import org.m3vit.generalist.evidence.ExpertActivation;
import org.m3vit.generalist.evidence.Interference;
import org.m3vit.generalist.evidence.InterferenceMath;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.report.Plots;
import org.m3vit.report.TextTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit generalist interference} and {@code m3vit generalist activation}: evidence on a trained model. */
final class GeneralistEvidenceCommands {

    private GeneralistEvidenceCommands() {}

    @Command(
            name = "interference",
            mixinStandardHelpOptions = true,
            description = "Task interference (Uni-Perceiver-MoE Table 1, the reference notebook's ratio): gradient"
                    + " samples of one weight per chosen block and task; I[i][j] = mean_m S_{j->i}[m] / S_{i->i}[m].")
    static final class InterferenceCommand implements Callable<Integer> {
        @Mixin
        GeneralistInputs inputs;

        @Option(
                names = "--layers",
                split = ",",
                paramLabel = "L,L,..",
                description = "0-based blocks (default: every block)")
        List<Integer> layers;

        @Option(
                names = "--weight",
                defaultValue = "mlp.fc2",
                description = "weight within each block, e.g. mlp.fc2 (= ffn.fc2), mlp.fc1, attn.qkv, attn.proj"
                        + " (default ${DEFAULT-VALUE})")
        String weight;

        @Option(
                names = "--samples",
                defaultValue = "100",
                description = "gradient samples per task (default ${DEFAULT-VALUE})")
        int samples;

        @Option(
                names = "--batch",
                defaultValue = "4",
                description = "train items per sample (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--tasks", split = ",", description = "tasks to compare (default: the model's)")
        List<String> tasks;

        @Option(names = "--seed", defaultValue = "0", description = "sample seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--json", description = "print the result as JSON")
        boolean json;

        @Option(
                names = "--plot",
                paramLabel = "P.png",
                description = "heat maps: P.png gets one per block (P-blockN.png)")
        Path plot;

        @Mixin
        ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            threads.apply();
            if (samples < 2) {
                throw new IllegalArgumentException("--samples must be >= 2, got " + samples);
            }
            if (batch < 2) {
                throw new IllegalArgumentException("--batch must be >= 2 (retrieval's loss is in-batch), got " + batch);
            }
            if (plot != null && !plot.getFileName().toString().endsWith(".png")) {
                throw new IllegalArgumentException("--plot must name a .png file, got " + plot);
            }
            try (NDManager manager = NDManager.newBaseManager();
                    GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(inputs.weights, manager)) {
                TaskContext ctx = Contexts.of(loaded, inputs.data, manager);
                List<Integer> l = layers;
                if (l == null) {
                    l = new ArrayList<>();
                    for (int i = 0; i < loaded.config().model().depth(); i++) {
                        l.add(i);
                    }
                }
                List<String> t = tasks == null ? loaded.config().taskIds() : tasks;
                Interference.Result r = Interference.run(
                        ctx, new Interference.Options(l, weight, samples, batch, t, seed), Progress.line());
                Progress.clear();
                if (plot != null) {
                    for (int layer : r.layers()) {
                        Path png = perBlock(plot, layer, r.layers().size());
                        Plots.heatmap(
                                "Interference I[i][j], block " + layer + " "
                                        + r.parameters().get(layer),
                                "source task j",
                                "affected task i",
                                r.tasks(),
                                r.tasks(),
                                r.matrices().get(layer),
                                null,
                                null,
                                "0.00",
                                png);
                        System.err.println("wrote " + png);
                    }
                }
                if (json) {
                    PrettyJson.print(r);
                    return 0;
                }
                System.out.printf(
                        Locale.ROOT,
                        "interference of %s, %d samples of %d items per task (%.1f s)%n",
                        weight,
                        r.samples(),
                        r.batch(),
                        r.seconds());
                for (int layer : r.layers()) {
                    System.out.println("block " + layer + " (" + r.parameters().get(layer) + "):");
                    var rows = EvidenceTables.interference(r, layer);
                    System.out.print(TextTable.text(rows.get(0), rows.subList(1, rows.size())));
                    System.out.printf(
                            Locale.ROOT,
                            "mean off-diagonal %.3f ± %.3f (standard error over the samples)%n",
                            InterferenceMath.meanOffDiagonal(r.matrices().get(layer)),
                            r.standardErrors().get(layer));
                }
                return 0;
            }
        }
    }

    /** P.png for one block, P-blockN.png for several. */
    static Path perBlock(Path plot, int layer, int blocks) {
        if (blocks == 1) {
            return plot;
        }
        String name = plot.getFileName().toString();
        return plot.resolveSibling(name.substring(0, name.length() - 4) + "-block" + layer + ".png");
    }

    @Command(
            name = "activation",
            mixinStandardHelpOptions = true,
            description = "Expert-activation maps: each expert's share of the tokens per MoE block and condition"
                    + " (task, attribute row or modality), attention and FFN MoEs, on val batches of every task.")
    static final class ActivationCommand implements Callable<Integer> {
        @Mixin
        GeneralistInputs inputs;

        @Option(
                names = "--by",
                defaultValue = "attribute",
                description = "task, attribute or modality (default ${DEFAULT-VALUE})")
        String by;

        @Option(
                names = "--batches",
                defaultValue = "4",
                description = "val batches per task (default ${DEFAULT-VALUE})")
        int batches;

        @Option(names = "--batch", defaultValue = "16", description = "items per batch (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--plot", paramLabel = "P.png", description = "heat maps P-attn.png and P-mlp.png")
        Path plot;

        @Option(names = "--json", description = "print the result as JSON")
        boolean json;

        @Mixin
        ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            threads.apply();
            ExpertActivation.Condition c = ExpertActivation.Condition.parse(by, "--by");
            if (batches < 1 || batch < 2) {
                throw new IllegalArgumentException("--batches must be >= 1 and --batch >= 2");
            }
            if (plot != null && !plot.getFileName().toString().endsWith(".png")) {
                throw new IllegalArgumentException("--plot must name a .png file, got " + plot);
            }
            try (NDManager manager = NDManager.newBaseManager();
                    GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(inputs.weights, manager)) {
                if (!loaded.config().model().moe()) {
                    throw new IllegalArgumentException(inputs.weights + " is a dense model: it has no experts to map");
                }
                TaskContext ctx = Contexts.of(loaded, inputs.data, manager);
                ExpertActivation.Result r =
                        ExpertActivation.run(ctx, loaded.config().taskIds(), c, batches, batch, 0);
                if (plot != null) {
                    String name = plot.getFileName().toString();
                    for (String group : r.shares().keySet()) {
                        Path png = plot.resolveSibling(name.substring(0, name.length() - 4) + "-" + group + ".png");
                        EvidenceTables.Matrix mx = EvidenceTables.activationMatrix(r, group);
                        Plots.heatmap(
                                "Expert share of tokens (%), " + group + " MoE: " + inputs.weights.getFileName(),
                                "expert",
                                "block · " + by,
                                mx.cols(),
                                mx.rows(),
                                mx.values(),
                                0.0,
                                100.0,
                                "0",
                                png);
                        System.err.println("wrote " + png);
                    }
                }
                if (json) {
                    System.out.println(
                            new GsonBuilder().setPrettyPrinting().create().toJson(r));
                    return 0;
                }
                for (String group : r.shares().keySet()) {
                    var rows = EvidenceTables.activation(r, group);
                    System.out.print(TextTable.text(rows.get(0), rows.subList(1, rows.size())));
                }
                return 0;
            }
        }
    }
}
