package org.m3vit.cli;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.m3vit.config.ModelConfig;
import org.m3vit.model.FlopCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit flops}: analytic parameters and FLOPs per task pathway, all tasks, and the dense baseline. */
@Command(
        name = "flops",
        mixinStandardHelpOptions = true,
        description = "Count parameters and FLOPs (2 x multiply-adds) from a config: each task's pathway, all"
                + " tasks (shared prefix once), and the dense multi-task baseline of equal width."
                + " Counting rules: docs/model.md.")
final class FlopsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelConfig c = model.load();
        List<FlopCounter.Row> rows = new FlopCounter(c).report();
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", c.toString());
            List<Map<String, Object>> list = new ArrayList<>();
            for (FlopCounter.Row r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.name());
                m.put("params", r.params());
                m.put("active_params", r.activeParams());
                m.put("backbone_flops", 2 * r.backboneMacs());
                m.put("head_flops", 2 * r.headMacs());
                m.put("flops", r.flops());
                list.add(m);
            }
            out.put("rows", list);
            System.out.println(new GsonBuilder()
                    .disableHtmlEscaping()
                    .setPrettyPrinting()
                    .create()
                    .toJson(out));
            return 0;
        }
        System.out.println(c);
        // Units follow the model's size so tiny configs do not print zeros.
        long maxFlops = rows.stream().mapToLong(FlopCounter.Row::flops).max().orElse(0);
        long maxParams = rows.stream().mapToLong(FlopCounter.Row::params).max().orElse(0);
        double f = maxFlops >= 1e9 ? 1e9 : 1e6;
        String fu = maxFlops >= 1e9 ? "GFLOPs" : "MFLOPs";
        double p = maxParams >= 1e6 ? 1e6 : 1e3;
        String pu = maxParams >= 1e6 ? "(M)" : "(K)";
        System.out.printf(
                "%-28s %12s %14s %15s %13s %13s%n",
                "pathway", "params " + pu, "active " + pu, "backbone " + fu, "heads " + fu, "total " + fu);
        for (FlopCounter.Row r : rows) {
            System.out.printf(
                    "%-28s %12.2f %14.2f %15.2f %13.2f %13.2f%n",
                    r.name(),
                    r.params() / p,
                    r.activeParams() / p,
                    2 * r.backboneMacs() / f,
                    2 * r.headMacs() / f,
                    r.flops() / f);
        }
        return 0;
    }
}
