package org.m3vit.data;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference's 6-group human-part mapping ({@code HUMAN_PART[6]} in {@code data/pascal_context.py}):
 * PASCAL-Part person part names → 1 head, 2 torso, 3 upper arm, 4 lower arm, 5 upper leg, 6 lower leg
 * (0 is background).
 */
public final class HumanParts {

    /** VOC class index of a person, the only class whose parts are used. */
    public static final int PERSON_CLASS = 15;

    public static final int HEAD = 1;
    public static final int TORSO = 2;
    public static final int UPPER_ARM = 3;
    public static final int LOWER_ARM = 4;
    public static final int UPPER_LEG = 5;
    public static final int LOWER_LEG = 6;

    private static final Map<String, Integer> GROUPS;

    static {
        Map<String, Integer> m = new HashMap<>();
        for (String n :
                new String[] {"hair", "head", "lear", "lebrow", "leye", "mouth", "nose", "rear", "rebrow", "reye"}) {
            m.put(n, HEAD);
        }
        m.put("neck", TORSO);
        m.put("torso", TORSO);
        m.put("luarm", UPPER_ARM);
        m.put("ruarm", UPPER_ARM);
        m.put("llarm", LOWER_ARM);
        m.put("rlarm", LOWER_ARM);
        m.put("lhand", LOWER_ARM);
        m.put("rhand", LOWER_ARM);
        m.put("luleg", UPPER_LEG);
        m.put("ruleg", UPPER_LEG);
        m.put("llleg", LOWER_LEG);
        m.put("rlleg", LOWER_LEG);
        m.put("lfoot", LOWER_LEG);
        m.put("rfoot", LOWER_LEG);
        GROUPS = Collections.unmodifiableMap(m);
    }

    private HumanParts() {}

    /** Group 1..6 of a PASCAL-Part person part name, or -1 if the name is not a person part. */
    public static int group(String partName) {
        Integer g = GROUPS.get(partName);
        return g == null ? -1 : g;
    }

    public static Map<String, Integer> groups() {
        return GROUPS;
    }
}
