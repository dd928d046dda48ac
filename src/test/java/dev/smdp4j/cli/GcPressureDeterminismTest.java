package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.GcPressure;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Npz;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Results must not depend on the garbage collector (docs/RELIABILITY.md): every method is trained,
 * its checkpoint loaded and sampled once on a calm JVM and once while {@link GcPressure} forces
 * collections and reuses freed memory between engine calls, and the two must agree bit for bit:
 * every tensor of {@code last.ckpt} (weights and optimizer state) and every sample. Before host data
 * entered the engine only through {@code EngineArrays}, a collection between forward and backward
 * corrupted gradients.
 */
class GcPressureDeterminismTest {
    @TempDir
    static Path tmp;

    static Path data;
    static String test;

    @BeforeAll
    static void generate() {
        data = tmp.resolve("data");
        ok("generate", "--out", data.toString(), "--train", "40", "--test", "3", "--grid", "16", "--steps", "4");
        test = data.resolve("test.npz").toString();
    }

    private static List<String> network(String method) {
        return method.equals("surrogate") ? List.of() : List.of(BaselineCommandTest.tinyNetwork(method));
    }

    private static String schedule(String method) {
        return switch (method) {
            case "smdp" -> "1:1:8:1e-3:1e-3:0,2:1:8:1e-3:1e-3:1"; // unrolled windows, then anchors
            case "heatgen" -> "1:1:8:1e-3:1e-3,2:1:8:1e-3:1e-3";
            default -> "1:2:8:1e-3:1e-3";
        };
    }

    private static Path train(String method, String name) {
        Path run = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--method",
                method,
                "--data",
                data.toString(),
                "--out",
                run.toString(),
                "--schedule",
                schedule(method),
                "--val-size",
                "8",
                "--quiet"));
        args.addAll(network(method));
        ok(args.toArray(String[]::new));
        return run.resolve("last.ckpt");
    }

    private static HostArray sample(Path model, String name, String... extra) {
        Path out = tmp.resolve(name + ".npz");
        List<String> args = new ArrayList<>(List.of(
                "sample",
                "--model",
                model.toString(),
                "--input",
                test,
                "--samples",
                "2",
                "--out",
                out.toString(),
                "--quiet"));
        args.addAll(Arrays.asList(extra));
        ok(args.toArray(String[]::new));
        return Npz.read(out, "x0");
    }

    private static <T> T underPressure(Supplier<T> work) {
        try (GcPressure pressure = GcPressure.start()) {
            T result = work.get();
            assertTrue(pressure.collections() > 0, "the pressure thread collected");
            return result;
        }
    }

    private static void assertSameTensors(Path expected, Path actual) {
        Map<String, HostArray> a = Checkpoint.read(expected).tensors();
        Map<String, HostArray> b = Checkpoint.read(actual).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).shape(), b.get(k).shape(), k);
            assertArrayEquals(a.get(k).data(), b.get(k).data(), () -> "tensor " + k + " differs under GC pressure");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smdp", "heatgen", "resnet-s", "resnet-p", "bnn-s", "bnn-p", "fno-s", "fno-p", "surrogate"})
    void trainingLoadingAndSamplingAreBitIdenticalUnderGarbageCollectorPressure(String method) {
        Path calm = train(method, method + "-calm");
        Path pressed = underPressure(() -> train(method, method + "-pressure"));
        assertSameTensors(calm, pressed);
        List<String[]> samplers = switch (method) {
            case "smdp" ->
                List.of(new String[] {"--sampler", "ode"}, new String[] {"--sampler", "sde"}, new String[] {
                    "--sampler", "pc", "--steps", "4"
                });
            case "heatgen" -> List.of(new String[] {"--sampler", "ode"}, new String[] {"--sampler", "sde"});
            case "surrogate" -> List.of(); // a physics, not a reconstruction model: loaded by SMDP below
            default -> List.<String[]>of(new String[0]);
        };
        for (String[] s : samplers) {
            String tag = method + String.join("", s);
            HostArray a = sample(calm, tag + "-calm", s);
            HostArray b = underPressure(() -> sample(calm, tag + "-pressure", s));
            assertEquals(-1, a.firstNonFinite(), tag);
            assertArrayEquals(a.data(), b.data(), () -> tag + ": samples differ under GC pressure");
        }
        if (method.equals("surrogate")) {
            Path smdp = tmp.resolve("smdp-calm/last.ckpt");
            if (!smdp.toFile().exists()) {
                smdp = train("smdp", "smdp-for-surrogate");
            }
            String[] s = {"--sampler", "ode", "--physics", "surrogate:" + calm};
            Path model = smdp;
            HostArray a = sample(model, "surrogate-physics-calm", s);
            HostArray b = underPressure(() -> sample(model, "surrogate-physics-pressure", s));
            assertArrayEquals(a.data(), b.data(), "SMDP with the learned physics differs under GC pressure");
        }
    }

    /** The toy SDE's methods (an MLP on scalar states; ISM and SSM-VR with forward-mode derivatives) and its exact score. */
    @ParameterizedTest
    @ValueSource(strings = {"smdp", "ism", "ssm-vr"})
    void theToyProblemIsBitIdenticalUnderGarbageCollectorPressure(String method) {
        Path toy = tmp.resolve("toy-data");
        if (!toy.resolve("dataset.json").toFile().exists()) {
            ok(
                    "generate",
                    "--problem",
                    "toy-sde",
                    "--out",
                    toy.toString(),
                    "--train",
                    "64",
                    "--test",
                    "4",
                    "--steps",
                    "10",
                    "--end-time",
                    "0.5");
        }
        String toySchedule = method.equals("smdp") ? "2:1:16:1e-3:1e-3:2,4:1:16:1e-3:1e-3:2" : "1:2:16:1e-3:1e-3";
        java.util.function.Function<String, Path> trainToy = name -> {
            Path run = tmp.resolve(name);
            ok(
                    "train",
                    "--method",
                    method,
                    "--data",
                    toy.toString(),
                    "--out",
                    run.toString(),
                    "--schedule",
                    toySchedule,
                    "--val-size",
                    "8",
                    "--quiet");
            return run.resolve("last.ckpt");
        };
        Path calm = trainToy.apply("toy-" + method + "-calm");
        Path pressed = underPressure(() -> trainToy.apply("toy-" + method + "-pressure"));
        assertSameTensors(calm, pressed);
        String toyTest = toy.resolve("test.npz").toString();
        java.util.function.Function<String, HostArray> sampleToy = name -> {
            Path out = tmp.resolve(name + ".npz");
            ok(
                    "sample",
                    "--model",
                    calm.toString(),
                    "--input",
                    toyTest,
                    "--sampler",
                    "sde",
                    "--samples",
                    "3",
                    "--out",
                    out.toString(),
                    "--quiet");
            return Npz.read(out, "x0");
        };
        HostArray a = sampleToy.apply("toy-" + method + "-sde-calm");
        HostArray b = underPressure(() -> sampleToy.apply("toy-" + method + "-sde-pressure"));
        assertArrayEquals(a.data(), b.data(), () -> "toy " + method + ": samples differ under GC pressure");
    }
}
