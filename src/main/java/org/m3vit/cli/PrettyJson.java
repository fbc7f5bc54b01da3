package org.m3vit.cli;

import com.google.gson.GsonBuilder;

/** A command's {@code --json} answer, indented; NaN and infinities print as such instead of failing. */
final class PrettyJson {

    private PrettyJson() {}

    static void print(Object result) {
        System.out.println(new GsonBuilder()
                .setPrettyPrinting()
                .serializeSpecialFloatingPointValues()
                .create()
                .toJson(result));
    }
}
