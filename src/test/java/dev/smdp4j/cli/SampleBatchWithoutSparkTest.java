package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain build has no Spark: sample-batch and export-npz say how to get it, and exit 2. */
class SampleBatchWithoutSparkTest {
    @TempDir
    Path tmp;

    static boolean sparkPresent() {
        try {
            Class.forName(
                    "org.apache.spark.sql.SparkSession", false, SampleBatchWithoutSparkTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void givesOneClearErrorSayingHowToGetSpark() {
        assumeFalse(sparkPresent(), "built with the spark profile");
        fails(
                "needs Apache Spark",
                "sample-batch",
                "--input",
                tmp.toString(),
                "--out",
                tmp.resolve("o").toString());
        fails(
                "SMDP_SPARK=1 ./smdp sample-batch",
                "sample-batch",
                "--input",
                tmp.toString(),
                "--out",
                tmp.resolve("o").toString());
        fails(
                "no _smdp.json",
                "export-npz",
                "--in",
                tmp.toString(),
                "--out",
                tmp.resolve("x.npz").toString());
    }
}
