package org.m3vit.cli;

import java.nio.file.Path;

/** Files shipped with m3vit (configs), found from any working directory. */
final class Install {

    private Install() {}

    /**
     * {@code relative} inside the m3vit directory: the launcher passes it as {@code -Dm3vit.home}; without it
     * (tests, IDE runs) the working directory is taken to be the m3vit directory.
     */
    static Path path(String relative) {
        String home = System.getProperty("m3vit.home");
        return home == null ? Path.of(relative) : Path.of(home).resolve(relative);
    }
}
