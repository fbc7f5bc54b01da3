package org.m3vit.model;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Locates the committed reference fixtures (see src/test/resources/fixtures/make_reference_fixture.py). */
final class Fixtures {

    private Fixtures() {}

    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture " + name, e);
        }
    }
}
