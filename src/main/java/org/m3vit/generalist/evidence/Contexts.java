package org.m3vit.generalist.evidence;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import org.m3vit.generalist.GeneralistArtifact;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.task.TaskContext;

/** The task context of a loaded artifact on a corpus, routed (not merged): the analyses need the decisions. */
public final class Contexts {

    private Contexts() {}

    public static TaskContext of(GeneralistArtifact.Loaded loaded, Path data, NDManager manager) throws IOException {
        MultimodalCorpus corpus = MultimodalCorpus.open(
                data, loaded.tokenizer(), loaded.config().model().textLength());
        var m = loaded.config().model();
        corpus.checkFits(m.imageHeight(), m.imageWidth(), m.frames());
        return new TaskContext(
                new SequenceEncoder(
                        loaded.model(),
                        new ParameterStore(manager, false),
                        loaded.tokenizer().speId(),
                        loaded.tokenizer().padId(),
                        null),
                manager,
                loaded.tokenizer(),
                corpus);
    }
}
