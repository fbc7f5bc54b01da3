package org.m3vit.generalist.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.IntConsumer;
import org.m3vit.data.synth.MultimodalSynthesizer;
import org.m3vit.generalist.text.WordPieceVocabulary;
import org.m3vit.io.AtomicFiles;

/**
 * {@code m3vit synth --layout multimodal}: renders the corpus ({@link MultimodalSynthesizer}) and ships its
 * tokenizer with it: a WordPiece vocabulary built from the train split's captions and texts and every class
 * name, written as {@code tokenizer.json} in the corpus root.
 */
public final class CorpusSynthesis {

    private CorpusSynthesis() {}

    public static MultimodalSynthesizer.Result run(MultimodalSynthesizer.Options o, Path root, IntConsumer progress)
            throws IOException {
        MultimodalSynthesizer.Result r = MultimodalSynthesizer.run(o, root, progress);
        String json =
                WordPieceVocabulary.tokenizerJson(WordPieceVocabulary.tokens(MultimodalCorpus.vocabularyTexts(root)));
        AtomicFiles.write(MultimodalCorpus.tokenizerFile(root), json.getBytes(StandardCharsets.UTF_8));
        return r;
    }
}
