package org.m3vit.report;

import java.util.List;

/** A header and rows of cells, as aligned plain text for the terminal or as a Markdown table. */
public final class TextTable {

    private TextTable() {}

    /** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
    public static String text(List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = length(header.get(c));
            for (List<String> row : rows) {
                width[c] = Math.max(width[c], length(row.get(c)));
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        StringBuilder rule = new StringBuilder();
        for (int w : width) {
            rule.append("-".repeat(w)).append("  ");
        }
        sb.append(rule.toString().stripTrailing()).append('\n');
        rows.forEach(row -> line(sb, row, width));
        return sb.toString();
    }

    public static String markdown(List<String> header, List<List<String>> rows) {
        StringBuilder sb =
                new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
        sb.append(" --- |".repeat(header.size())).append('\n');
        for (List<String> row : rows) {
            sb.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> row, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < row.size(); c++) {
            String spaces = " ".repeat(Math.max(0, width[c] - length(row.get(c))));
            line.append(c == 0 ? row.get(c) + spaces : spaces + row.get(c)).append("  ");
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
