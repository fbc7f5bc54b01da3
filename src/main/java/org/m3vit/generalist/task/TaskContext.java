package org.m3vit.generalist.task;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.generalist.text.WordPieceVocabulary;

/**
 * What a task's loss and evaluation work with: the encoder (model, parameters, merged experts), the
 * manager the call's arrays go on, the tokenizer, and the corpus (its class names, tokenized once).
 */
public final class TaskContext {

    private final SequenceEncoder encoder;
    private final NDManager manager;
    private final SubwordTokenizer tokenizer;
    private final MultimodalCorpus corpus;
    private final List<int[]> imageClasses;
    private final List<int[]> videoClasses;
    private final List<int[]> textClasses;
    private final int[] vocabulary;

    public TaskContext(
            SequenceEncoder encoder, NDManager manager, SubwordTokenizer tokenizer, MultimodalCorpus corpus) {
        this.encoder = encoder;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.corpus = corpus;
        this.imageClasses = tokenize(tokenizer, corpus.imageClasses());
        this.videoClasses = tokenize(tokenizer, corpus.videoClasses());
        this.textClasses = tokenize(tokenizer, corpus.textClasses());
        List<Integer> words = new ArrayList<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            String t = tokenizer.token(id);
            if (!WordPieceVocabulary.SPECIALS.contains(t) || t.equals(WordPieceVocabulary.EOS)) {
                words.add(id);
            }
        }
        this.vocabulary = words.stream().mapToInt(Integer::intValue).toArray();
    }

    private TaskContext(TaskContext base, NDManager manager, SequenceEncoder encoder) {
        this.encoder = encoder;
        this.manager = manager;
        this.tokenizer = base.tokenizer;
        this.corpus = base.corpus;
        this.imageClasses = base.imageClasses;
        this.videoClasses = base.videoClasses;
        this.textClasses = base.textClasses;
        this.vocabulary = base.vocabulary;
    }

    private static List<int[]> tokenize(SubwordTokenizer tokenizer, List<String> names) {
        List<int[]> out = new ArrayList<>();
        for (String n : names) {
            out.add(tokenizer.encode(n));
        }
        return List.copyOf(out);
    }

    /** The same context with arrays going on {@code m} (a step's or a chunk's sub-manager). */
    public TaskContext on(NDManager m) {
        return new TaskContext(this, m, encoder);
    }

    /** The same context with another encoder (one that observes its calls, or with prompts). */
    public TaskContext with(SequenceEncoder e) {
        return new TaskContext(this, manager, e);
    }

    public SequenceEncoder encoder() {
        return encoder;
    }

    public NDManager manager() {
        return manager;
    }

    public SubwordTokenizer tokenizer() {
        return tokenizer;
    }

    public MultimodalCorpus corpus() {
        return corpus;
    }

    public List<int[]> imageClasses() {
        return imageClasses;
    }

    public List<int[]> videoClasses() {
        return videoClasses;
    }

    public List<int[]> textClasses() {
        return textClasses;
    }

    /**
     * The word-vocabulary target set (MLM and captioning): every token but the pad, unknown and
     * {@code [SPE]} tokens; {@code [EOS]} is in it (it ends a caption).
     */
    public int[] vocabulary() {
        return vocabulary;
    }
}
