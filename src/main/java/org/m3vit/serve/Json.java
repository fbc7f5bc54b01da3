package org.m3vit.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON factory and mapper of the server: strict reading, fast float parsing and writing. */
final class Json {

    /**
     * Strings may be as long as a body (a base64 image), since the body limit bounds them already; nesting
     * beyond 64 levels is never a valid request.
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE - 8)
                    .maxNestingDepth(64)
                    .build())
            .build();

    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private Json() {}
}
