package org.m3vit.spark;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapred.InvalidJobConfException;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordWriter;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.m3vit.io.OutputPaths;

/**
 * A Hadoop output format that writes each record as a file of its own: key = the path under the output
 * directory ({@code <task>/<name>.npy}), value = the file's bytes. Every file goes into the task attempt's
 * work directory of the {@link FileOutputCommitter}, so it becomes visible only when Spark's commit
 * protocol commits that attempt (one attempt per partition is allowed to) and the job: a failed or retried
 * attempt's files are discarded with its directory, never seen half-written in the output.
 */
public final class FilesOutputFormat extends FileOutputFormat<String, byte[]> {

    @Override
    public RecordWriter<String, byte[]> getRecordWriter(TaskAttemptContext context) throws IOException {
        Path work = ((FileOutputCommitter) getOutputCommitter(context)).getWorkPath();
        FileSystem fs = work.getFileSystem(context.getConfiguration());
        return new RecordWriter<>() {
            @Override
            public void write(String relative, byte[] content) throws IOException {
                String[] parts = relative.split("/", -1);
                for (String p : parts) {
                    if (!OutputPaths.isPlainName(p)) {
                        throw new IOException("refusing output path '" + relative + "': not plain names");
                    }
                }
                // overwrite=false: two records for one file are a bug upstream, not something to hide
                try (FSDataOutputStream out = fs.create(new Path(work, relative), false)) {
                    out.write(content);
                }
            }

            @Override
            public void close(TaskAttemptContext c) {}
        };
    }

    /**
     * The output directory may exist (the driver has checked that it holds nothing); Hadoop's own check
     * would refuse any existing directory.
     */
    @Override
    public void checkOutputSpecs(JobContext job) throws IOException {
        if (getOutputPath(job) == null) {
            throw new InvalidJobConfException("no output directory set");
        }
    }
}
