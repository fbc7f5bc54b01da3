package org.m3vit.generalist.task;

/** One task's batch on the host: what its {@link GeneralistTask#loss} turns into arrays. */
public interface TaskBatch {

    GeneralistTask task();

    /** Number of samples. */
    int size();
}
