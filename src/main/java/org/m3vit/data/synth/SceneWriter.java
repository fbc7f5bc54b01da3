package org.m3vit.data.synth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes one rendered scene with its ground truth into a dataset root in a particular on-disk layout. */
interface SceneWriter {

    /** Creates the layout's directories. */
    void prepare(Path root) throws IOException;

    void write(Path root, String id, Scene scene, Frame frame) throws IOException;

    /** Writes the split files (and any other per-dataset files). */
    void finish(Path root, List<String> train, List<String> val) throws IOException;
}
