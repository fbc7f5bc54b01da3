package org.m3vit.generalist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.text.SubwordTokenizer;
import org.m3vit.generalist.text.WordPieceVocabulary;

/** The corpus's WordPiece tokenizer, run by the HuggingFace tokenizers library: round trips and subwords. */
class TokenizerTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void corpus() throws IOException {
        GeneralistFixtures.corpus(data, 60, 8, 3);
    }

    @Test
    void everyCorpusTextSurvivesARoundTrip() throws IOException {
        try (SubwordTokenizer t = SubwordTokenizer.load(MultimodalCorpus.tokenizerFile(data))) {
            List<String> texts = MultimodalCorpus.vocabularyTexts(data);
            assertTrue(texts.size() > 40, "texts: " + texts.size());
            for (String s : texts) {
                int[] ids = t.encode(s);
                assertEquals(s, t.decode(ids), "round trip of '" + s + "'");
                for (int id : ids) {
                    assertFalse(t.token(id).equals(WordPieceVocabulary.UNK), s + " has an unknown token");
                }
            }
        }
    }

    @Test
    void pluralsAreSubwordsAndNewWordsSplitIntoPieces() throws IOException {
        try (SubwordTokenizer t = SubwordTokenizer.build(List.of("a red ball", "two red balls", "a box", "boxes"))) {
            assertEquals(List.of("two", "red", "ball", "##s"), t.tokenize("two red balls"));
            assertEquals(List.of("box", "##es"), t.tokenize("boxes"));
            assertEquals(-1, t.id("balls"), "a plural of a corpus word is not a token of its own");
            // a word the corpus never had still tokenizes, into known pieces, and comes back
            List<String> pieces = t.tokenize("bread");
            assertTrue(pieces.size() > 1 && pieces.get(1).startsWith("##"), pieces.toString());
            assertEquals("bread", t.decode(t.encode("bread")));
            assertEquals("two red balls", t.decode(t.encode("Two  RED balls")));
            assertEquals(0, t.padId());
            assertEquals(2, t.speId());
            assertEquals(3, t.eosId());
            int[] withSpecials = {t.speId(), t.id("red"), t.eosId(), t.padId()};
            assertEquals("red", t.decode(withSpecials), "special tokens are not spelt");
        }
    }

    @Test
    void theShippedFileIsWhatTheLibraryLoadsAndItsIdsAreStable() throws IOException {
        String json = Files.readString(MultimodalCorpus.tokenizerFile(data));
        List<String> tokens = WordPieceVocabulary.tokens(MultimodalCorpus.vocabularyTexts(data));
        assertEquals(WordPieceVocabulary.tokenizerJson(tokens), json, "the vocabulary is a function of the corpus");
        try (SubwordTokenizer a = SubwordTokenizer.fromJson(json, "a");
                SubwordTokenizer b = SubwordTokenizer.load(MultimodalCorpus.tokenizerFile(data))) {
            assertEquals(tokens.size(), a.vocabSize());
            assertArrayEquals(a.encode("a red ball left of a blue box"), b.encode("a red ball left of a blue box"));
        }
    }

    @Test
    void aBrokenTokenizerFileIsNamed(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("tokenizer.json");
        Files.writeString(bad, "{\"model\": {\"vocab\": {\"a\": 0}}}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SubwordTokenizer.load(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("[PAD]"), e.getMessage());
        InvalidInputException missing =
                assertThrows(InvalidInputException.class, () -> SubwordTokenizer.load(tmp.resolve("none.json")));
        assertTrue(missing.getMessage().contains("none.json"), missing.getMessage());
    }
}
