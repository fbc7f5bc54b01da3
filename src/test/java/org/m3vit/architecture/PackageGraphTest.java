package org.m3vit.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/ARCHITECTURE.md's package graph is the rule: every top-level package of org.m3vit appears in it,
 * and a package's classes use only the packages its line lists (a subpackage counts as its package). The
 * graph is read from the document itself, so the document and the code cannot drift apart.
 */
class PackageGraphTest {

    private static final String ROOT = "org.m3vit";
    private static final Pattern EDGE = Pattern.compile("^\\s*([a-z][a-z., ]*?)\\s*──►\\s*(.*)$");

    private static JavaClasses classes;
    private static Map<String, Set<String>> allowed;

    @BeforeAll
    static void load() throws IOException {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        allowed = graph(Path.of("docs/ARCHITECTURE.md"));
    }

    /** package → the packages it may use, from the first fenced block after "Package dependencies". */
    static Map<String, Set<String>> graph(Path doc) throws IOException {
        List<String> lines = Files.readAllLines(doc);
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("Package dependencies")) {
                start = i;
                break;
            }
        }
        assertTrue(start >= 0, doc + " has no 'Package dependencies' paragraph");
        Map<String, Set<String>> out = new LinkedHashMap<>();
        boolean inBlock = false;
        for (int i = start; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("```")) {
                if (inBlock) {
                    break;
                }
                inBlock = true;
                continue;
            }
            Matcher m = EDGE.matcher(l);
            if (!inBlock || !m.matches()) {
                continue;
            }
            Set<String> deps = new TreeSet<>();
            String right = m.group(2).replaceAll("\\(.*?\\)", "");
            for (String d : right.split(",")) {
                if (!d.isBlank()) {
                    deps.add(d.trim());
                }
            }
            for (String from : m.group(1).split(",")) {
                out.put(from.trim(), deps);
            }
        }
        assertFalse(out.isEmpty(), doc + ": no 'pkg ──► deps' lines in the package graph block");
        return out;
    }

    /** The graph node of a class: the longest listed package that contains it ("" outside the project). */
    private static String node(JavaClass c) {
        String pkg = c.getPackageName();
        if (!pkg.startsWith(ROOT + ".")) {
            return "";
        }
        String rest = pkg.substring(ROOT.length() + 1);
        String best = null;
        for (String n : allowed.keySet()) {
            if ((rest.equals(n) || rest.startsWith(n + ".")) && (best == null || n.length() > best.length())) {
                best = n;
            }
        }
        if (best != null) {
            return best;
        }
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    @Test
    void everyPackageIsInTheDocument() {
        Set<String> nodes = new TreeSet<>();
        classes.forEach(c -> nodes.add(node(c)));
        nodes.remove("");
        Set<String> missing = new TreeSet<>(nodes);
        missing.removeAll(allowed.keySet());
        assertEquals(Set.of(), missing, "packages missing from docs/ARCHITECTURE.md's graph");
        for (Set<String> deps : allowed.values()) {
            for (String d : deps) {
                assertTrue(nodes.contains(d), "the graph names '" + d + "', which is not a package");
            }
        }
    }

    @Test
    void packagesUseOnlyWhatTheGraphAllows() {
        Set<String> violations = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = node(c);
            Set<String> ok = allowed.getOrDefault(from, Set.of());
            c.getDirectDependenciesFromSelf().forEach(d -> {
                String to = node(d.getTargetClass());
                if (!to.isEmpty() && !to.equals(from) && !ok.contains(to)) {
                    violations.add(from + " ──► " + to + ": " + d.getDescription());
                }
            });
        }
        assertTrue(
                violations.isEmpty(),
                violations.size() + " dependencies that docs/ARCHITECTURE.md does not allow:\n"
                        + String.join("\n", violations.stream().limit(40).toList()));
    }

    /** Flags, exit codes and terminals are the CLI's business alone. */
    @Test
    void onlyTheCliKnowsPicocli() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ROOT + ".cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("picocli..")
                .check(classes);
    }

    /**
     * No project type is named like a type of the DJL packages m3vit builds its models and training on
     * (ai.djl.nn, ai.djl.ndarray, ai.djl.training): a reader would have to check the imports to know which
     * one a name means, as it once had to for Trainer, Optimizer and SplitEvaluator.
     */
    @Test
    void noProjectTypeIsNamedLikeADjlType() {
        Set<String> djl = new TreeSet<>();
        new ClassFileImporter()
                .importPackages("ai.djl.nn", "ai.djl.ndarray", "ai.djl.training")
                .forEach(c -> {
                    if (!c.isNestedClass()
                            && c.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC)) {
                        djl.add(c.getSimpleName());
                    }
                });
        assertTrue(djl.contains("Trainer") && djl.contains("Optimizer"), "DJL's classes were not found: " + djl.size());
        List<String> clashes = new ArrayList<>();
        for (JavaClass c : classes) {
            if (!c.isNestedClass() && djl.contains(c.getSimpleName())) {
                clashes.add(c.getName());
            }
        }
        assertEquals(List.of(), clashes, "project types named like a DJL type");
    }

    @Test
    void noCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }
}
