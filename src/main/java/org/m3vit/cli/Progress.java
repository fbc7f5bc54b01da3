package org.m3vit.cli;

import java.util.function.Consumer;

/** One self-overwriting status line on stderr for long-running commands (silent when not a terminal). */
final class Progress {

    private Progress() {}

    static Consumer<String> line() {
        if (System.console() == null) {
            return message -> {};
        }
        return message -> System.err.print("\r\033[K" + message);
    }

    static void clear() {
        if (System.console() != null) {
            System.err.print("\r\033[K");
        }
    }
}
