package org.m3vit.data;

/** Resampling kernels used by the augmentation (OpenCV's INTER_NEAREST and INTER_CUBIC semantics). */
public enum Interpolation {
    NEAREST,
    CUBIC
}
