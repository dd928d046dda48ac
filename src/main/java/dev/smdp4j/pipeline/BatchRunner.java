package dev.smdp4j.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link ShardSampling} tasks on a cluster engine and reads its output back. The implementation,
 * {@code dev.smdp4j.spark.SparkBatchRunner}, exists only in builds with the {@code spark} Maven
 * profile; the command line finds it by name so that the plain build needs no Spark.
 */
public interface BatchRunner {
    /** The implementing class. */
    String IMPLEMENTATION = "dev.smdp4j.spark.SparkBatchRunner";

    /**
     * How to run one job.
     *
     * @param job what to sample
     * @param shards the input files, in key order
     * @param target the directory to write the Parquet files to (must not exist)
     * @param master the cluster URL, or null: the one {@code spark-submit} set, else {@code local[*]}
     * @param chunksPerTask chunks per task, or 0 for about four tasks per executor core
     * @param testFault a fault for tests: {@code halt} stops the executor running the first attempt of
     *     the first task, {@code throw} fails that attempt; null for none
     */
    record Request(
            ShardSampling.Job job,
            List<ShardSampling.Shard> shards,
            Path target,
            String master,
            int chunksPerTask,
            String testFault) {}

    /**
     * What ran: the master, the rows per status, the number of tasks and their summed time on the
     * executors (model loading, reading and sampling; the rest of the job's time is Spark's).
     */
    record Outcome(String master, Map<String, Long> statusCounts, int tasks, double taskSeconds) {}

    /** Samples every task and writes the rows as Parquet to {@code request.target()}. */
    Outcome sample(Request request);

    /** Places every row of the Parquet output in {@code dir} into {@code assembly}. */
    void export(Path dir, String master, ShardSampling.Assembly assembly);
}
