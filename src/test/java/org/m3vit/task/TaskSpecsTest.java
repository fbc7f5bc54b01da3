package org.m3vit.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.task.dense.SemsegSpec;

/** The registry: every task has its spec, channels are the reference's, bad ids are named. */
class TaskSpecsTest {

    @Test
    void everyTaskHasItsSpec() {
        for (Task t : Task.values()) {
            DenseTaskSpec s = t.spec();
            assertEquals(t.id(), s.id());
            assertSame(s, TaskSpecs.get(t.id()));
            assertSame(s, TaskSpecs.get(t.id(), DenseTaskSpec.class));
            assertTrue(TaskSpecs.all().contains(s));
        }
    }

    @Test
    void channelsAreTheReferencesOnBothDatasets() {
        Map<Task, int[]> expected = Map.of( // {target, PASCAL head, NYUD head}
                Task.SEMSEG, new int[] {1, 21, 40},
                Task.HUMAN_PARTS, new int[] {1, 7, 7},
                Task.SAL, new int[] {1, 1, 1},
                Task.NORMALS, new int[] {3, 3, 3},
                Task.EDGE, new int[] {1, 1, 1},
                Task.DEPTH, new int[] {1, 1, 1});
        expected.forEach((t, c) -> {
            assertEquals(c[0], t.spec().targetChannels(), t.id());
            assertEquals(c[1], t.spec().outputChannels(DatasetLayout.PASCAL), t.id());
            assertEquals(c[2], t.spec().outputChannels(DatasetLayout.NYUD), t.id());
            assertEquals(t == Task.SEMSEG || t == Task.HUMAN_PARTS, t.spec().isClassMap(), t.id());
        });
        TaskSet nyud = TaskSet.of(DatasetLayout.NYUD, Task.SEMSEG, Task.DEPTH, Task.NORMALS, Task.EDGE);
        for (Task t : nyud.tasks()) {
            assertEquals(t.spec().outputChannels(DatasetLayout.NYUD), nyud.channels(t));
        }
    }

    @Test
    void unknownIdsAreNamedWithTheKnownOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Task.parse("segm"));
        assertEquals(
                "unknown task 'segm'; expected one of semseg, human_parts, sal, normals, edge, depth", e.getMessage());
        assertEquals("task", e.subject());
        assertEquals(Task.HUMAN_PARTS, Task.parse(" Human_Parts "));

        InvalidInputException r = assertThrows(InvalidInputException.class, () -> TaskSpecs.get("segm"));
        assertTrue(r.getMessage().startsWith("unknown task 'segm'; expected one of "), r.getMessage());
        for (Task t : Task.values()) {
            assertTrue(r.getMessage().contains(t.id()), r.getMessage());
        }
        assertFalse(TaskSpecs.find("segm").isPresent());
    }

    /** Another kind of task (e.g. a generalist's similarity task) would extend TaskSpec its own way. */
    interface OtherKindOfSpec extends TaskSpec {}

    @Test
    void aSpecOfTheWrongKindIsNamed() {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> TaskSpecs.get("semseg", OtherKindOfSpec.class));
        assertEquals("task 'semseg' is not a OtherKindOfSpec", e.getMessage());
    }

    @Test
    void twoSpecsClaimingOneIdAreABrokenBuild() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> TaskSpecs.index(List.of(new SemsegSpec(), new SemsegSpec())));
        assertTrue(e.getMessage().startsWith("task 'semseg' is registered twice"), e.getMessage());
    }

    @Test
    void headOutputsOfTheWrongSizeOrChannelsAreNamed() {
        InvalidInputException size =
                assertThrows(InvalidInputException.class, () -> new HeadOutput(new float[5], 1, 2, 2));
        assertEquals("head output: has 5 values, expected 1x2x2", size.getMessage());
        HeadOutput two = new HeadOutput(new float[8], 2, 2, 2);
        InvalidInputException channels = assertThrows(
                InvalidInputException.class, () -> Task.NORMALS.spec().decode(two, 2, 2));
        assertEquals("normals output: has 2 channels, expected 3", channels.getMessage());
    }
}
