package org.m3vit.generalist.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Caption metrics against one reference per image, on whitespace-separated tokens.
 *
 * <ul>
 *   <li><b>BLEU-4</b> (Papineni et al. 2002), corpus level as the COCO toolkit computes it: clipped n-gram
 *       precisions for n = 1..4 summed over the corpus, their geometric mean, times the brevity penalty
 *       exp(1 − r/c) when the candidates' total length c is below the references' r.
 *   <li><b>CIDEr</b> (Vedantam et al. 2015): per n = 1..4, TF-IDF vectors of n-grams with document
 *       frequencies over the reference set, cosine of candidate and reference vectors; the mean over n,
 *       times 10, averaged over images (plain CIDEr; CIDEr-D's length penalty and clipping are not
 *       applied).
 * </ul>
 */
public final class CaptionMetrics {

    private CaptionMetrics() {}

    public static double bleu4(List<String> candidates, List<String> references) {
        check(candidates, references);
        long[] matches = new long[4];
        long[] totals = new long[4];
        long candidateLength = 0;
        long referenceLength = 0;
        for (int i = 0; i < candidates.size(); i++) {
            List<String> c = tokens(candidates.get(i));
            List<String> r = tokens(references.get(i));
            candidateLength += c.size();
            referenceLength += r.size();
            for (int n = 1; n <= 4; n++) {
                Map<String, Integer> cn = ngrams(c, n);
                Map<String, Integer> rn = ngrams(r, n);
                for (var e : cn.entrySet()) {
                    matches[n - 1] += Math.min(e.getValue(), rn.getOrDefault(e.getKey(), 0));
                    totals[n - 1] += e.getValue();
                }
            }
        }
        double logSum = 0;
        for (int n = 0; n < 4; n++) {
            if (matches[n] == 0 || totals[n] == 0) {
                return 0;
            }
            logSum += Math.log((double) matches[n] / totals[n]);
        }
        double bp = candidateLength >= referenceLength || candidateLength == 0
                ? 1
                : Math.exp(1 - (double) referenceLength / candidateLength);
        return candidateLength == 0 ? 0 : bp * Math.exp(logSum / 4);
    }

    public static double cider(List<String> candidates, List<String> references) {
        check(candidates, references);
        int docs = references.size();
        double total = 0;
        List<List<Map<String, Integer>>> refGrams = new ArrayList<>();
        List<Map<String, Integer>> df = new ArrayList<>();
        for (int n = 1; n <= 4; n++) {
            df.add(new HashMap<>());
        }
        for (String r : references) {
            List<Map<String, Integer>> grams = new ArrayList<>();
            for (int n = 1; n <= 4; n++) {
                Map<String, Integer> g = ngrams(tokens(r), n);
                grams.add(g);
                for (String k : g.keySet()) {
                    df.get(n - 1).merge(k, 1, Integer::sum);
                }
            }
            refGrams.add(grams);
        }
        for (int i = 0; i < candidates.size(); i++) {
            double score = 0;
            for (int n = 1; n <= 4; n++) {
                Map<String, Double> c = tfidf(ngrams(tokens(candidates.get(i)), n), df.get(n - 1), docs);
                Map<String, Double> r = tfidf(refGrams.get(i).get(n - 1), df.get(n - 1), docs);
                score += cosine(c, r);
            }
            total += 10 * score / 4;
        }
        return candidates.isEmpty() ? 0 : total / candidates.size();
    }

    private static Map<String, Double> tfidf(Map<String, Integer> counts, Map<String, Integer> df, int docs) {
        Map<String, Double> out = new HashMap<>();
        int sum = counts.values().stream().mapToInt(Integer::intValue).sum();
        for (var e : counts.entrySet()) {
            double idf = Math.log(docs / (double) Math.max(1, df.getOrDefault(e.getKey(), 0)));
            out.put(e.getKey(), (double) e.getValue() / Math.max(1, sum) * idf);
        }
        return out;
    }

    private static double cosine(Map<String, Double> a, Map<String, Double> b) {
        double dot = 0;
        for (var e : a.entrySet()) {
            dot += e.getValue() * b.getOrDefault(e.getKey(), 0.0);
        }
        double na = Math.sqrt(a.values().stream().mapToDouble(v -> v * v).sum());
        double nb = Math.sqrt(b.values().stream().mapToDouble(v -> v * v).sum());
        return na == 0 || nb == 0 ? 0 : dot / (na * nb);
    }

    static Map<String, Integer> ngrams(List<String> tokens, int n) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            out.merge(String.join(" ", tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return out;
    }

    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        for (String t : s.trim().split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private static void check(List<String> candidates, List<String> references) {
        if (candidates.size() != references.size()) {
            throw new IllegalArgumentException(
                    candidates.size() + " candidates for " + references.size() + " references");
        }
    }
}
