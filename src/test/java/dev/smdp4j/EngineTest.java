package dev.smdp4j;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.util.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of tests that use the engine: one offline root manager per test class, closed afterwards. */
public abstract class EngineTest {
    protected static NDManager manager;

    @BeforeAll
    static void startEngine() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void stopEngine() {
        manager.close();
    }
}
