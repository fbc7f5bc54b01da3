package org.m3vit.data;

import java.util.Locale;

/** A dataset split; its name is the split file's base name ({@code train.txt}, {@code val.txt}). */
public enum Split {
    TRAIN,
    VAL;

    public String fileName() {
        return name().toLowerCase(Locale.ROOT) + ".txt";
    }
}
