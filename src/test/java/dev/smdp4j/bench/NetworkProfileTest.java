package dev.smdp4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace summary counts top-level calls only, per thread, and sums them by name. */
class NetworkProfileTest {
    @TempDir
    Path tmp;

    @Test
    void nestedCallsAreCountedOnceInTheirParent() throws Exception {
        // thread 1: conv [0, 100) containing mkldnn [10, 90) containing a nested call; add [100, 130)
        // thread 2: conv [5, 45), overlapping thread 1 in time but top-level on its own thread
        String trace = "{\"traceEvents\": ["
                + "{\"ph\": \"X\", \"name\": \"aten::conv2d\", \"tid\": 1, \"ts\": 0, \"dur\": 100},"
                + "{\"ph\": \"X\", \"name\": \"aten::mkldnn_convolution\", \"tid\": 1, \"ts\": 10, \"dur\": 80},"
                + "{\"ph\": \"X\", \"name\": \"aten::empty\", \"tid\": 1, \"ts\": 20, \"dur\": 5},"
                + "{\"ph\": \"X\", \"name\": \"aten::add\", \"tid\": 1, \"ts\": 100, \"dur\": 30},"
                + "{\"ph\": \"i\", \"name\": \"marker\", \"tid\": 1, \"ts\": 50},"
                + "{\"ph\": \"X\", \"name\": \"aten::conv2d\", \"tid\": 2, \"ts\": 5, \"dur\": 40}]}";
        Path file = tmp.resolve("trace.json");
        Files.writeString(file, trace);
        NetworkProfile.Result r = NetworkProfile.summarise(file, 4, 2, 1.5);
        assertEquals(1.5, r.callsPerPass(), 1e-12, "three top-level calls over two passes");
        assertEquals(0.085, r.opMillisPerPass(), 1e-12, "(100 + 30 + 40) us over two passes");
        Map<String, Double> calls = callsByName(r);
        assertEquals(Map.of("aten::conv2d", 1.0, "aten::add", 0.5), calls);
        assertEquals(0.07, r.ops().get(0).millisPerPass(), 1e-12, "conv2d: (100 + 40) us over two passes");
        assertEquals("aten::conv2d", r.ops().get(0).name(), "sorted by time");
        assertEquals(4, r.batch());
    }

    @Test
    void theOperatorsOfATorchScriptFunctionCountInsteadOfTheFunction() throws Exception {
        // forward [0, 200) (the scripted trunk) containing pad [0, 30) and conv [40, 140), the conv
        // containing mkldnn; then a top-level add [200, 210)
        String trace = "{\"traceEvents\": ["
                + "{\"ph\": \"X\", \"name\": \"forward\", \"tid\": 1, \"ts\": 0, \"dur\": 200},"
                + "{\"ph\": \"X\", \"name\": \"aten::pad\", \"tid\": 1, \"ts\": 0, \"dur\": 30},"
                + "{\"ph\": \"X\", \"name\": \"aten::conv2d\", \"tid\": 1, \"ts\": 40, \"dur\": 100},"
                + "{\"ph\": \"X\", \"name\": \"aten::mkldnn_convolution\", \"tid\": 1, \"ts\": 50, \"dur\": 80},"
                + "{\"ph\": \"X\", \"name\": \"aten::add\", \"tid\": 1, \"ts\": 200, \"dur\": 10}]}";
        Path file = tmp.resolve("script.json");
        Files.writeString(file, trace);
        NetworkProfile.Result r = NetworkProfile.summarise(file, 1, 1, 0.3);
        Map<String, Double> calls = callsByName(r);
        assertEquals(Map.of("aten::pad", 1.0, "aten::conv2d", 1.0, "aten::add", 1.0), calls);
        assertEquals(0.14, r.opMillisPerPass(), 1e-12, "30 + 100 + 10 us");
    }

    private static Map<String, Double> callsByName(NetworkProfile.Result r) {
        return r.ops().stream().collect(Collectors.toMap(NetworkProfile.Op::name, NetworkProfile.Op::callsPerPass));
    }
}
