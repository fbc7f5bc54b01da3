package org.m3vit.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.task.Task;

class ComparisonTest {

    private static Comparison.Row row(String name, Comparison.Kind kind, double semseg, double normals) {
        return new Comparison.Row(
                name,
                kind,
                Map.of(Task.SEMSEG, Map.of("mIoU", semseg), Task.NORMALS, Map.of("mean", normals, "median", 1.0)),
                Double.NaN);
    }

    @Test
    void clearlyBetterNeedsBothTheRelativeAndTheAbsoluteMargin() {
        // mIoU: 0.04 → 0.045 is +12.5 % but only +0.005: not clear. 0.04 → 0.07: clear.
        assertFalse(Comparison.clearlyBetter(Task.SEMSEG, 0.045, 0.04));
        assertTrue(Comparison.clearlyBetter(Task.SEMSEG, 0.07, 0.04));
        // 0.80 → 0.83 is +0.03 but only +3.75 %: not clear.
        assertFalse(Comparison.clearlyBetter(Task.SEMSEG, 0.83, 0.80));
        // Normals: lower is better. 50° → 44° (−12 %, −6°) clear; 50° → 47° (−6 %) not; 50° → 55° worse.
        assertTrue(Comparison.clearlyBetter(Task.NORMALS, 44, 50));
        assertFalse(Comparison.clearlyBetter(Task.NORMALS, 47, 50));
        assertFalse(Comparison.clearlyBetter(Task.NORMALS, 55, 50));
        // Nothing to compare is never a win, on either side.
        assertFalse(Comparison.clearlyBetter(Task.SEMSEG, Double.NaN, 0.1));
        assertFalse(Comparison.clearlyBetter(Task.SEMSEG, 0.1, Double.NaN));
    }

    @Test
    void eachTrainedRowIsJudgedAgainstTrivialAndItsOwnUntrainedRow() {
        Comparison c = new Comparison(
                List.of(Task.SEMSEG, Task.NORMALS),
                List.of(
                        row("trivial", Comparison.Kind.TRIVIAL, 0.04, 50),
                        row("A untrained", Comparison.Kind.UNTRAINED, 0.01, 60),
                        row("B untrained", Comparison.Kind.UNTRAINED, 0.30, 20),
                        row("A", Comparison.Kind.TRAINED, 0.20, 30),
                        row("B", Comparison.Kind.TRAINED, 0.20, 30)));
        List<Comparison.Verdict> v = c.verdicts();
        assertEquals(8, v.size(), "2 models x 2 baselines x 2 tasks");
        assertTrue(v.stream().filter(x -> x.model().equals("A")).allMatch(Comparison.Verdict::clearlyBetter));
        // B is worse than its own (made-up) untrained row on both tasks, never compared with A's.
        assertTrue(
                v.stream().noneMatch(x -> x.model().equals("B") && x.baseline().equals("A untrained")));
        assertFalse(
                v.stream().filter(x -> x.baseline().equals("B untrained")).anyMatch(Comparison.Verdict::clearlyBetter));
        assertFalse(c.allClearlyBetter());
        String text = c.verdictText();
        assertTrue(text.contains("A vs trivial: clearly better on all 2 tasks"), text);
        assertTrue(text.contains("B vs B untrained: NOT clearly better on semseg, normals"), text);
    }

    @Test
    void aMissingBaselineValueIsNamedNotCountedAsAWin() {
        Comparison c = new Comparison(
                List.of(Task.SEMSEG, Task.NORMALS),
                List.of(
                        new Comparison.Row(
                                "trivial",
                                Comparison.Kind.TRIVIAL,
                                Map.of(Task.NORMALS, Map.of("mean", 50.0)),
                                Double.NaN),
                        row("A", Comparison.Kind.TRAINED, 0.2, 30)));
        assertFalse(c.allClearlyBetter());
        assertTrue(
                c.verdictText().contains("A vs trivial: NOT clearly better on semseg (no baseline value)"),
                c.verdictText());
    }

    @Test
    void tableShowsEveryRowAndTheMainMetricWithItsDirection() {
        Comparison c = new Comparison(
                List.of(Task.SEMSEG, Task.NORMALS),
                List.of(
                        row("trivial", Comparison.Kind.TRIVIAL, 0.04, 50.123),
                        row("A", Comparison.Kind.TRAINED, 0.2, 30)));
        String text = c.toText();
        String[] lines = text.split("\n");
        assertEquals(4, lines.length, text);
        assertTrue(lines[0].contains("semseg mIoU ↑") && lines[0].contains("normals mean ↓"), lines[0]);
        assertTrue(lines[2].startsWith("trivial") && lines[2].contains("0.0400") && lines[2].contains("50.12°"), text);
        String md = c.toMarkdown();
        assertTrue(md.contains("| A | 0.2000 | 30.00° | – |"), md);
    }
}
