package org.m3vit.data.synth;

/**
 * Semantic classes the generator places, with their ids in each label space:
 * NYU-40 ({@code 1..40}, 0 = unlabelled), PASCAL VOC 21 ({@code 0} = background, 15 = person) and a
 * PASCAL-Context class id for {@code LabelMap}. The context ids are our own numbering (the real 459-class
 * table is not available here); readers only use them through edges and the normals-valid class list.
 */
public enum SceneClass {
    WALL(1, 0, 427, false),
    FLOOR(2, 0, 158, false),
    CEILING(22, 0, 85, false),
    PICTURE(11, 0, 283, false),
    WINDOW(9, 0, 445, false),
    CABINET(3, 0, 78, false),
    BOX(29, 0, 45, false),
    /** Clutter nobody annotated: NYUD stores it as 0 (unlabelled), so readers must map it to ignore. */
    BALL(0, 0, 33, false),
    LAMP(35, 0, 207, false),
    TABLE(7, 11, 368, true),
    CHAIR(5, 9, 59, true),
    SOFA(6, 18, 347, true),
    TV_MONITOR(25, 20, 416, true),
    BOTTLE(40, 5, 44, true),
    POTTED_PLANT(40, 16, 261, true),
    PERSON(31, 15, 284, true);

    /** PASCAL VOC class names by index, as PASCAL-Part's {@code objects.class} strings spell them. */
    private static final String[] VOC_NAMES = {
        "background",
        "aeroplane",
        "bicycle",
        "bird",
        "boat",
        "bottle",
        "bus",
        "car",
        "cat",
        "chair",
        "cow",
        "diningtable",
        "dog",
        "horse",
        "motorbike",
        "person",
        "pottedplant",
        "sheep",
        "sofa",
        "train",
        "tvmonitor"
    };

    private final int nyud;
    private final int voc;
    private final int context;
    private final boolean salient;

    SceneClass(int nyud, int voc, int context, boolean salient) {
        this.nyud = nyud;
        this.voc = voc;
        this.context = context;
        this.salient = salient;
    }

    /** NYU-40 label as stored in {@code segmentation/<id>.png} (1..40; 0 = unlabelled). */
    public int nyud() {
        return nyud;
    }

    /** VOC label as stored in {@code semseg/VOC12/<id>.png} (0 = background). */
    public int voc() {
        return voc;
    }

    /** VOC class name ("diningtable", "person", …). */
    public String vocName() {
        return VOC_NAMES[voc];
    }

    /** Class id in {@code LabelMap}. */
    public int context() {
        return context;
    }

    /** Saliency ground truth: the VOC foreground objects and people, not the room or its fittings. */
    public boolean salient() {
        return salient;
    }

    /**
     * Whether the PASCAL reader keeps distilled normals on this class. The reference keeps them only on
     * NYU-compatible context classes; the synthetic potted plant plays the role of a class outside that
     * list so the masking path is exercised.
     */
    public boolean normalsValid() {
        return this != POTTED_PLANT;
    }

    /** Whether a depth sensor returns a value here; NYUD depth is 0 (invalid) on windows, like glass for a Kinect. */
    public boolean depthValid() {
        return this != WINDOW;
    }
}
