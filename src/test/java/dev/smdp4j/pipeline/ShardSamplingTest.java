package dev.smdp4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.util.Engines;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys, seeds, chunks, tasks and the row encoding of sample-batch, without Spark. */
class ShardSamplingTest {
    @TempDir
    Path tmp;

    static HostArray fields(int n, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n * size * size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.5 * random.nextGaussian());
        }
        return new HostArray(v, n, size, size);
    }

    @Test
    void keysAndSeeds() {
        assertEquals("sub/a.npz#7", Seeding.key("sub/a.npz", 7));
        assertEquals(Seeding.observationSeed(3, "a.npz#0"), Seeding.observationSeed(3, "a.npz#0"));
        assertNotEquals(Seeding.observationSeed(3, "a.npz#0"), Seeding.observationSeed(3, "a.npz#1"));
        assertNotEquals(Seeding.observationSeed(3, "a.npz#0"), Seeding.observationSeed(4, "a.npz#0"));
        assertNotEquals(Seeding.observationSeed(3, "a.npz#1"), Seeding.observationSeed(3, "b.npz#1"));
        Seeding keyed = Seeding.keyed(new long[] {11, 12});
        assertEquals(
                keyed.item(3, 2),
                Seeding.keyed(new long[] {99, 12}).item(3, 2),
                "sample k of an observation depends on its own seed only");
        assertEquals(keyed.item(3, 2), Seeding.keyed(new long[] {12}).item(1, 2));
        assertNotEquals(keyed.item(0, 2), keyed.item(1, 2));
        assertEquals(dev.smdp4j.util.Seeds.derive(7, 5L), Seeding.global(7).item(5, 3), "global seeding as before");
    }

    @Test
    void chunksAlignWithEngineBatches() {
        assertEquals(32, ShardSampling.chunkObservations(32));
        assertEquals(64, ShardSampling.chunkObservations(64));
        assertEquals(32, ShardSampling.chunkObservations(8));
        assertEquals(96, ShardSampling.chunkObservations(48));
        for (int batch : new int[] {1, 7, 32, 48, 100}) {
            int c = ShardSampling.chunkObservations(batch);
            assertEquals(0, c % batch);
            assertEquals(0, c % 32);
        }
    }

    @Test
    void listsShardsSortedWithRelativePathsAndPlansTasks() throws IOException {
        Files.createDirectories(tmp.resolve("b/c"));
        Npz.write(tmp.resolve("z.npz"), Map.of("y", fields(70, 4, 1)));
        Npz.write(tmp.resolve("b/c/a.npz"), Map.of("y", fields(3, 4, 2)));
        Npz.write(tmp.resolve("b/x.npz"), Map.of("y", fields(0, 4, 2)));
        Files.writeString(tmp.resolve("readme.txt"), "skip me");
        List<ShardSampling.Shard> shards = ShardSampling.list(tmp, "y", new int[] {4, 4});
        assertEquals(
                List.of("b/c/a.npz", "b/x.npz", "z.npz"),
                shards.stream().map(ShardSampling.Shard::relative).toList());
        assertEquals(
                List.of(3, 0, 70),
                shards.stream().map(ShardSampling.Shard::observations).toList());
        List<ShardSampling.Task> one = ShardSampling.tasks(shards, 32, 1);
        assertEquals(
                List.of("b/c/a.npz:0+3", "z.npz:0+32", "z.npz:32+32", "z.npz:64+6"),
                one.stream()
                        .map(t -> t.relative() + ":" + t.first() + "+" + t.count())
                        .toList());
        List<ShardSampling.Task> two = ShardSampling.tasks(shards, 32, 2);
        assertEquals(
                List.of("b/c/a.npz:0+3", "z.npz:0+64", "z.npz:64+6"),
                two.stream()
                        .map(t -> t.relative() + ":" + t.first() + "+" + t.count())
                        .toList());
        assertEquals(1, ShardSampling.chunksPerTask(shards, 32, 2, 4));

        InvalidInputException shape =
                assertThrows(InvalidInputException.class, () -> ShardSampling.list(tmp, "y", new int[] {8, 8}));
        assertTrue(shape.getMessage().contains("expected shape [n, 8, 8]"), shape.getMessage());
        InvalidInputException key =
                assertThrows(InvalidInputException.class, () -> ShardSampling.list(tmp, "obs", new int[] {4, 4}));
        assertTrue(key.getMessage().contains("no array named 'obs'"), key.getMessage());
        assertTrue(assertThrows(
                        InvalidInputException.class,
                        () -> ShardSampling.list(tmp.resolve("none"), "y", new int[] {4, 4}))
                .getMessage()
                .contains("no such directory"));
    }

    @Test
    void assemblyPlacesRowsInObservationOrder() {
        JsonNode sidecar = Json.mapper()
                .valueToTree(Map.of(
                        "samples",
                        2,
                        "shape",
                        List.of(2),
                        "files",
                        List.of(
                                Map.of("path", "a.npz", "observations", 2),
                                Map.of("path", "s/b.npz", "observations", 1))));
        ShardSampling.Assembly a = new ShardSampling.Assembly(sidecar, tmp);
        a.put("s/b.npz#0", 1, "ok", new float[] {5, 6});
        a.put("a.npz#1", 0, "ok", new float[] {3, 4});
        a.put("a.npz#0", 1, "non-finite", null);
        assertArrayEquals(new int[] {3, 2, 2}, a.x0().shape());
        float[] x = a.x0().data();
        assertEquals(3f, x[4]);
        assertEquals(6f, x[11]);
        assertTrue(Float.isNaN(x[2]));
        assertEquals(2, a.filled());
        assertEquals(1, a.notOk());
        assertEquals(6, a.expected());
        assertThrows(InvalidInputException.class, () -> a.put("c.npz#0", 0, "ok", new float[2]));
    }

    /**
     * Tasks of one chunk and of several give the samples of one whole-file reconstruction (what
     * {@code smdp sample} runs), bit for bit, also after the job is serialised as for an executor.
     */
    @Test
    void samplesDoNotDependOnTheGroupingOfChunks() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("in"));
        HostArray y = fields(40, 32, 9);
        Npz.write(dir.resolve("a.npz"), Map.of("y", y));
        ModelSource source = ModelSource.resolve(null, null, null, "sde");
        Reconstruction.Request request = Reconstruction.Request.of("sde", 3, 1, 4);
        ShardSampling.Job job = new ShardSampling.Job(
                source, request, "y", new int[] {32, 32}, ShardSampling.chunkObservations(request.batch()));
        ShardSampling.Job shipped = roundTrip(job);
        List<ShardSampling.Shard> shards = ShardSampling.list(dir, "y", new int[] {32, 32});
        try (NDManager manager = Engines.newManager()) {
            ModelSource.Loaded model = source.load(manager);
            String[] keys = new String[40];
            for (int i = 0; i < 40; i++) {
                keys[i] = Seeding.key("a.npz", i);
            }
            float[] whole = model.reconstruct(
                            manager, y, request, Seeding.keyed(Seeding.observationSeeds(4, keys)), true, null)
                    .x0()
                    .data();
            ModelSource.Loaded other = shipped.source().load(manager);
            for (int perTask : new int[] {1, 2}) {
                List<ShardSampling.Row> rows = new ArrayList<>();
                for (ShardSampling.Task t : ShardSampling.tasks(shards, job.chunk(), perTask)) {
                    Iterator<ShardSampling.Row> it = ShardSampling.run(manager, other, shipped, t);
                    it.forEachRemaining(rows::add);
                }
                assertEquals(40, rows.size());
                float[] batch = new float[whole.length];
                for (ShardSampling.Row r : rows) {
                    int i = Integer.parseInt(r.key().substring(r.key().indexOf('#') + 1));
                    assertEquals("ok", r.status());
                    assertEquals(Seeding.observationSeed(4, r.key()), r.seed());
                    System.arraycopy(r.x0(), 0, batch, i * 1024, 1024);
                }
                assertArrayEquals(whole, batch, 0f, "chunks per task " + perTask);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
