package dev.smdp4j.spark;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.pipeline.ModelSource;
import dev.smdp4j.util.Engines;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The models of one executor JVM: loaded once from the broadcast checkpoint and kept for the JVM's
 * life, one instance per concurrently running task (an executor with one core holds exactly one).
 * The engine starts here, on first use, with as many intra-op threads as the task has cores, unless
 * {@code ai.djl.pytorch.num_threads} was set: N tasks of a JVM each spinning the engine's default
 * of one thread per core would oversubscribe the cores many times.
 */
final class ExecutorModels {
    private static NDManager root;
    private static final Map<String, Deque<ModelSource.Loaded>> IDLE = new HashMap<>();

    private ExecutorModels() {}

    /** A model of {@code source} for the calling task alone, until {@link Lease#close()}. */
    static Lease borrow(ModelSource source, int taskCores) {
        String id = source.identity();
        NDManager manager;
        synchronized (ExecutorModels.class) {
            if (root == null) {
                root = Engines.newManager(Math.max(1, taskCores));
            }
            Engines.noGradOnThisThread(); // per thread in PyTorch; Spark runs each task on a pool thread
            ModelSource.Loaded idle =
                    IDLE.computeIfAbsent(id, k -> new ArrayDeque<>()).poll();
            if (idle != null) {
                return new Lease(id, idle, root);
            }
            manager = root.newSubManager();
        }
        return new Lease(id, source.load(manager), root);
    }

    /** A borrowed model; closing returns it to the JVM's pool. */
    static final class Lease implements AutoCloseable {
        private final String id;
        private final ModelSource.Loaded model;
        private final NDManager manager;
        private boolean closed;

        Lease(String id, ModelSource.Loaded model, NDManager manager) {
            this.id = id;
            this.model = model;
            this.manager = manager;
        }

        ModelSource.Loaded model() {
            return model;
        }

        /** The JVM's root manager: callers open sub-managers for their arrays. */
        NDManager manager() {
            return manager;
        }

        @Override
        public void close() {
            synchronized (ExecutorModels.class) {
                if (!closed) {
                    closed = true;
                    IDLE.computeIfAbsent(id, k -> new ArrayDeque<>()).push(model);
                }
            }
        }
    }
}
