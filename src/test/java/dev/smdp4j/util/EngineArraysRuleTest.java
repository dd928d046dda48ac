package dev.smdp4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.Buffer;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * No code in {@code src/main} outside {@link EngineArrays} hands host data to DJL: such arrays are
 * views of Java memory on the CPU (see {@link EngineArrays}). Checked on the compiled classes, so a
 * new call site fails this test instead of corrupting results when the garbage collector runs.
 */
class EngineArraysRuleTest {

    /** Whether a call hands host data (a Java array, buffer or number) to the engine. */
    static boolean passesHostData(JavaCall<?> call) {
        JavaClass owner = call.getTargetOwner();
        String name = call.getName();
        List<JavaClass> params = call.getTarget().getRawParameterTypes();
        boolean manager = owner.isAssignableTo(NDManager.class);
        boolean array = owner.isAssignableTo(NDArray.class) || owner.isEquivalentTo(NDArrays.class);
        if (manager
                && (name.equals("create")
                        || name.equals("from")
                        || name.startsWith("createC")
                        || name.equals("createRowSparse"))) {
            return params.stream()
                    .anyMatch(p -> !p.isEquivalentTo(Shape.class)
                            && !p.isEquivalentTo(DataType.class)
                            && !p.isEquivalentTo(Device.class));
        }
        if (array) {
            return params.stream()
                    .anyMatch(p -> p.isAssignableTo(Number.class)
                            || p.isAssignableTo(Buffer.class)
                            || (name.startsWith("set") && p.isArray()));
        }
        return false;
    }

    static List<String> violations(JavaClasses classes) {
        TreeSet<String> out = new TreeSet<>();
        for (JavaClass c : classes) {
            if (c.isEquivalentTo(EngineArrays.class)) {
                continue;
            }
            for (JavaCall<?> call : c.getMethodCallsFromSelf()) {
                if (passesHostData(call)) {
                    out.add(call.getSourceCodeLocation() + " "
                            + call.getTargetOwner().getSimpleName() + "."
                            + call.getName()
                            + call.getTarget().getRawParameterTypes().stream()
                                    .map(JavaClass::getSimpleName)
                                    .collect(Collectors.joining(", ", "(", ")")));
                }
            }
        }
        return List.copyOf(out);
    }

    @Test
    void mainCodePassesHostDataToTheEngineOnlyThroughEngineArrays() {
        JavaClasses main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.smdp4j");
        assertTrue(main.size() > 50, "the main classes were found: " + main.size());
        List<String> found = violations(main);
        assertEquals(
                List.of(),
                found,
                "host data must enter the engine through EngineArrays (" + found.size() + " call sites)");
    }

    /** The rule recognises each way in: it would pass vacuously if it matched nothing. */
    @Test
    void theRuleRecognisesEveryKindOfHostDataCall() {
        JavaClasses fixture = new ClassFileImporter().importClasses(Offender.class);
        List<String> found = violations(fixture);
        assertEquals(6, found.size(), String.join("\n", found));
    }

    /** Calls the rule must flag (compiled, never run). */
    @SuppressWarnings("unused")
    static final class Offender {
        static void calls(NDManager m, NDArray x) {
            m.create(new float[] {1f}, new Shape(1));
            m.create(2f);
            x.mul(3);
            x.set(java.nio.FloatBuffer.wrap(new float[] {1f}));
            x.set(new float[] {1f});
            NDArrays.add(1, x);
            m.zeros(new Shape(1)); // engine-allocated: allowed
            m.full(new Shape(), 1f); // engine-allocated: allowed
            m.create(new Shape(1), DataType.FLOAT32); // engine-allocated: allowed
        }
    }
}
