package org.m3vit.generalist.text;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds a WordPiece vocabulary from a corpus and writes it as a HuggingFace {@code tokenizer.json}, which
 * {@link SubwordTokenizer} loads through DJL's binding of the HuggingFace tokenizers library. The text is
 * lower-cased and split at whitespace and punctuation (BERT's pre-tokenizer); every word of the corpus
 * becomes a token, except a word that is another corpus word plus a suffix ("balls" = "ball" "##s",
 * "boxes" = "box" "##es"): those are left to the suffix pieces, so plurals are real subwords. Every single
 * character, and every character as a continuation piece, is in the vocabulary too, so any text made of
 * the corpus's characters tokenizes without an unknown token (new words split into known pieces).
 *
 * <p>Special tokens, first and in this order: {@code [PAD]} 0, {@code [UNK]} 1, {@code [SPE]} 2 (the
 * Uni-Perceiver {@code <spe>} token that starts every sequence, also the MLM mask), {@code [EOS]} 3 (ends a
 * caption).
 */
public final class WordPieceVocabulary {

    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String SPE = "[SPE]";
    public static final String EOS = "[EOS]";
    public static final List<String> SPECIALS = List.of(PAD, UNK, SPE, EOS);

    private static final List<String> SUFFIXES = List.of("es", "s");

    private WordPieceVocabulary() {}

    /** The tokens of a vocabulary built from {@code texts}, in id order. */
    public static List<String> tokens(Iterable<String> texts) {
        Map<String, Integer> counts = new TreeMap<>();
        TreeSet<Character> chars = new TreeSet<>();
        for (String t : texts) {
            for (String w : words(t)) {
                counts.merge(w, 1, Integer::sum);
                for (char c : w.toCharArray()) {
                    chars.add(c);
                }
            }
        }
        List<String> whole = new ArrayList<>();
        TreeSet<String> suffixes = new TreeSet<>();
        for (String w : counts.keySet()) {
            String suffix = null;
            for (String s : SUFFIXES) {
                if (w.length() > s.length() + 1
                        && w.endsWith(s)
                        && counts.containsKey(w.substring(0, w.length() - s.length()))) {
                    suffix = s;
                    break;
                }
            }
            if (suffix != null) {
                suffixes.add("##" + suffix);
            } else {
                whole.add(w);
            }
        }
        // most frequent words first (ties alphabetically), so ids are stable for a corpus
        whole.sort((a, b) -> counts.get(b).equals(counts.get(a)) ? a.compareTo(b) : counts.get(b) - counts.get(a));
        List<String> out = new ArrayList<>(SPECIALS);
        for (String w : whole) {
            addOnce(out, w);
        }
        suffixes.forEach(s -> addOnce(out, s));
        for (char c : chars) {
            addOnce(out, String.valueOf(c));
        }
        for (char c : chars) {
            addOnce(out, "##" + c);
        }
        return out;
    }

    private static void addOnce(List<String> out, String token) {
        if (!out.contains(token)) {
            out.add(token);
        }
    }

    /** BERT-style pre-tokenization: lower case, split at whitespace, punctuation as words of its own. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (char c : text.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isWhitespace(c)) {
                flush(out, w);
            } else if (!Character.isLetterOrDigit(c)) {
                flush(out, w);
                out.add(String.valueOf(c));
            } else {
                w.append(c);
            }
        }
        flush(out, w);
        return out;
    }

    private static void flush(List<String> out, StringBuilder w) {
        if (w.length() > 0) {
            out.add(w.toString());
            w.setLength(0);
        }
    }

    /** The HuggingFace {@code tokenizer.json} of a WordPiece model over {@code tokens} (ids = positions). */
    public static String tokenizerJson(List<String> tokens) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Map<String, Object>> added = new ArrayList<>();
        for (String s : SPECIALS) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", tokens.indexOf(s));
            a.put("content", s);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
            added.add(a);
        }
        root.put("added_tokens", added);
        root.put("normalizer", Map.of("type", "Lowercase"));
        root.put("pre_tokenizer", Map.of("type", "BertPreTokenizer"));
        root.put("post_processor", null);
        Map<String, Object> decoder = new LinkedHashMap<>();
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        decoder.put("cleanup", false);
        root.put("decoder", decoder);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordPiece");
        model.put("unk_token", UNK);
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        model.put("vocab", vocab);
        root.put("model", model);
        return new GsonBuilder()
                .serializeNulls()
                .disableHtmlEscaping()
                .setPrettyPrinting()
                .create()
                .toJson(root);
    }
}
