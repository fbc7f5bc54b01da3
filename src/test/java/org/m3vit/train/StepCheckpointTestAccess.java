package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.Tensor;

/** Test helper shared with other packages: two weights files hold bit-identical tensors (metadata aside). */
public final class StepCheckpointTestAccess {

    private StepCheckpointTestAccess() {}

    public static void assertSameWeights(Path a, Path b, String context) throws IOException {
        try (SafetensorsFile x = SafetensorsFile.open(a);
                SafetensorsFile y = SafetensorsFile.open(b)) {
            assertEquals(x.tensors().keySet(), y.tensors().keySet(), context);
            for (String name : x.tensors().keySet()) {
                Tensor tx = x.read(name);
                Tensor ty = y.read(name);
                if (tx.isFloat()) {
                    assertArrayEquals(tx.floats(), ty.floats(), context + ": " + name);
                } else {
                    assertArrayEquals(tx.longs(), ty.longs(), context + ": " + name);
                }
            }
        }
    }
}
