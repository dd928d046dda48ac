package dev.smdp4j.spark;

import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.launch.AllocatorSettings;
import dev.smdp4j.pipeline.BatchRunner;
import dev.smdp4j.pipeline.ShardSampling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code smdp sample-batch} on Spark: one partition per {@link ShardSampling.Task}, sampled by
 * {@code mapPartitions} with the executor's model ({@link ExecutorModels}), written as Parquet.
 * Which executor runs a task, and how tasks group chunks, changes no sample.
 */
public final class SparkBatchRunner implements BatchRunner {
    /** The output's columns. */
    public static final StructType SCHEMA = new StructType()
            .add("obs_key", DataTypes.StringType, false)
            .add("sample", DataTypes.IntegerType, false)
            .add("seed", DataTypes.LongType, false)
            .add("status", DataTypes.StringType, false)
            .add("x0", DataTypes.createArrayType(DataTypes.FloatType, false), true);

    /** The launcher's allocator settings, which executors need from their start (glibc reads them once). */
    static final Map<String, String> EXECUTOR_ENV = executorEnv();

    private static Map<String, String> executorEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DJL_OFFLINE", "true");
        env.put("OPT_OUT_TRACKING", "true");
        env.putAll(AllocatorSettings.settings());
        List<String> inherited = new ArrayList<>(AllocatorSettings.settings().keySet());
        inherited.addAll(List.of("ENGINE_CACHE_DIR", "DJL_CACHE_DIR"));
        for (String name : inherited) {
            String v = System.getenv(name);
            if (v != null && !v.isEmpty()) {
                env.put(name, v);
            }
        }
        return env;
    }

    @Override
    public Outcome sample(Request request) {
        SparkSession spark = session(request.master(), "smdp sample-batch");
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            ShardSampling.Job job = request.job();
            int perTask = request.chunksPerTask() > 0
                    ? request.chunksPerTask()
                    : ShardSampling.chunksPerTask(request.shards(), job.chunk(), sc.defaultParallelism(), 4);
            List<ShardSampling.Task> tasks = ShardSampling.tasks(request.shards(), job.chunk(), perTask);
            Broadcast<ShardSampling.Job> shared = sc.broadcast(job);
            LongAccumulator ok = sc.sc().longAccumulator("ok");
            LongAccumulator nonFinite = sc.sc().longAccumulator("non-finite");
            LongAccumulator taskNanos = sc.sc().longAccumulator("task-nanos");
            JavaRDD<Row> rows = sc.parallelize(tasks, Math.max(1, tasks.size()))
                    .mapPartitions(new SampleTasks(shared, ok, nonFinite, taskNanos, request.testFault()));
            Dataset<Row> frame = spark.createDataFrame(rows, SCHEMA);
            run(() -> frame.write()
                    .mode(SaveMode.ErrorIfExists)
                    .parquet(request.target().toUri().toString()));
            Map<String, Long> counts = new LinkedHashMap<>();
            counts.put(ShardSampling.OK, ok.value());
            counts.put(ShardSampling.NON_FINITE, nonFinite.value());
            return new Outcome(spark.sparkContext().master(), counts, tasks.size(), taskNanos.value() / 1e9);
        } finally {
            spark.stop();
        }
    }

    @Override
    public void export(Path dir, String master, ShardSampling.Assembly assembly) {
        SparkSession spark = session(master, "smdp export-npz");
        try {
            run(() -> {
                Iterator<Row> it = spark.read()
                        .schema(SCHEMA)
                        .parquet(dir.toUri().toString())
                        .select("obs_key", "sample", "status", "x0")
                        .toLocalIterator();
                while (it.hasNext()) {
                    Row r = it.next();
                    float[] x0 = null;
                    if (!r.isNullAt(3)) {
                        List<Object> values = r.getList(3);
                        x0 = new float[values.size()];
                        for (int i = 0; i < x0.length; i++) {
                            x0[i] = ((Number) values.get(i)).floatValue();
                        }
                    }
                    assembly.put(r.getString(0), r.getInt(1), r.getString(2), x0);
                }
            });
        } finally {
            spark.stop();
        }
    }

    /**
     * A session on {@code master} (null: the one spark-submit set, else {@code local[*]}), with the
     * executors' environment set unless the user set it. Local modes stay on the loopback address.
     */
    static SparkSession session(String master, String name) {
        SparkConf given = new SparkConf(); // spark.* system properties, as spark-submit sets them
        String m = master != null ? master : given.get("spark.master", "local[*]");
        SparkSession.Builder b = SparkSession.builder().appName(name).master(m);
        EXECUTOR_ENV.forEach((k, v) -> {
            if (!given.contains("spark.executorEnv." + k)) {
                b.config("spark.executorEnv." + k, v);
            }
        });
        if (!given.contains("spark.executor.extraJavaOptions")) {
            b.config("spark.executor.extraJavaOptions", "-Dai.djl.offline=true");
        }
        if (m.startsWith("local")) {
            if (!given.contains("spark.ui.enabled")) {
                b.config("spark.ui.enabled", "false");
            }
            if (!given.contains("spark.driver.host")) {
                b.config("spark.driver.host", "127.0.0.1");
            }
            if (!given.contains("spark.driver.bindAddress")) {
                b.config("spark.driver.bindAddress", "127.0.0.1");
            }
        }
        quietLogging();
        return b.getOrCreate();
    }

    /**
     * Spark logs every task at INFO; with the project's slf4j-simple provider, keep it to warnings,
     * and leave a failed task's exception to the driver's one error line (the executor and the
     * scheduler would print its stack trace twice more).
     */
    private static void quietLogging() {
        Map<String, String> levels = new LinkedHashMap<>();
        for (String logger : List.of(
                "org.apache.spark", "org.sparkproject", "org.apache.hadoop", "org.apache.parquet", "io.netty")) {
            levels.put(logger, "warn");
        }
        levels.put("org.apache.spark.executor.Executor", "off");
        levels.put("org.apache.spark.scheduler.TaskSetManager", "error");
        levels.put("org.apache.spark.scheduler.DAGScheduler", "error");
        levels.forEach((logger, level) -> {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, level);
            }
        });
    }

    /** Runs a Spark action; a bad input found on an executor becomes the {@link InvalidInputException} it was. */
    private static void run(Runnable action) {
        try {
            action.run();
        } catch (Exception e) { // SparkException is checked, but Scala throws it undeclared
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InvalidInputException bad) {
                    throw new InvalidInputException(bad.getMessage(), e);
                }
            }
            String text = String.valueOf(e.getMessage());
            String marker = InvalidInputException.class.getName() + ": ";
            int at = text.indexOf(marker);
            if (at >= 0) {
                String rest = text.substring(at + marker.length());
                int end = rest.indexOf('\n');
                throw new InvalidInputException(end < 0 ? rest : rest.substring(0, end), e);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("the Spark job failed: " + e, e);
        }
    }

    /** The executor side: samples the partition's tasks with the JVM's model. */
    static final class SampleTasks implements FlatMapFunction<Iterator<ShardSampling.Task>, Row> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<ShardSampling.Job> job;
        private final LongAccumulator ok;
        private final LongAccumulator nonFinite;
        private final LongAccumulator taskNanos;
        private final String testFault;

        SampleTasks(
                Broadcast<ShardSampling.Job> job,
                LongAccumulator ok,
                LongAccumulator nonFinite,
                LongAccumulator taskNanos,
                String testFault) {
            this.job = job;
            this.ok = ok;
            this.nonFinite = nonFinite;
            this.taskNanos = taskNanos;
            this.testFault = testFault;
        }

        @Override
        public Iterator<Row> call(Iterator<ShardSampling.Task> tasks) {
            TaskContext context = TaskContext.get();
            long start = System.nanoTime();
            context.addTaskCompletionListener(
                    (org.apache.spark.util.TaskCompletionListener) c -> taskNanos.add(System.nanoTime() - start));
            if (testFault != null && context.partitionId() == 0 && context.attemptNumber() == 0) {
                if (testFault.equals("halt")) {
                    Runtime.getRuntime().halt(57); // an executor lost mid-task
                }
                throw new IllegalStateException("test fault in the first attempt of task 0");
            }
            ShardSampling.Job j = job.value();
            ExecutorModels.Lease lease = ExecutorModels.borrow(j.source(), context.cpus());
            context.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> lease.close());
            List<Iterator<ShardSampling.Row>> parts = new ArrayList<>();
            while (tasks.hasNext()) {
                parts.add(ShardSampling.run(lease.manager(), lease.model(), j, tasks.next()));
            }
            Iterator<Iterator<ShardSampling.Row>> outer = parts.iterator();
            return new Iterator<>() {
                private Iterator<ShardSampling.Row> current = java.util.Collections.emptyIterator();

                @Override
                public boolean hasNext() {
                    while (!current.hasNext() && outer.hasNext()) {
                        current = outer.next();
                    }
                    return current.hasNext();
                }

                @Override
                public Row next() {
                    hasNext();
                    ShardSampling.Row r = current.next();
                    (ShardSampling.OK.equals(r.status()) ? ok : nonFinite).add(1);
                    return RowFactory.create(r.key(), r.sample(), r.seed(), r.status(), r.x0());
                }
            };
        }
    }
}
