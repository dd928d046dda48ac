package dev.smdp4j.pipeline;

import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.launch.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a reproduction's pending trainings {@code jobs} at a time, each in a child JVM
 * ({@link ChildJvm}: one gradient collector per process in DJL) with its share of the cores as
 * engine threads, output in {@code DIR/logs/LABEL.log}. Chains run in order in one job. A stop
 * signal stops every child, which saves its checkpoint; the first failure stops the others the same
 * way. Each child's wall time is recorded as its stage {@code train LABEL}.
 */
final class SideBySideTraining {
    /** Where the trainings run side by side write their output (one file per training). */
    static final String LOGS = "logs";

    /** What the scheduler needs to know of the trainings. */
    interface Trainings {
        /** Whether training {@code label} has completed (then no child starts for it). */
        boolean complete(String label);

        /** The log line that announces training {@code label} (its options and network). */
        String describe(String label);

        /** The arguments of the child that runs training {@code label} and nothing else. */
        List<String> childArguments(String label);
    }

    private final StageCache cache;
    private final int jobs;
    private final String mainClass;
    private final Trainings trainings;
    /** Set once the trainings are being stopped (a signal or a failure): no new child starts. */
    private volatile boolean stopping;

    /** @param mainClass the main class each child runs with {@link Trainings#childArguments} */
    SideBySideTraining(StageCache cache, int jobs, String mainClass, Trainings trainings) {
        this.cache = cache;
        this.jobs = jobs;
        this.mainClass = mainClass;
        this.trainings = trainings;
    }

    /** Runs the chains that are not complete; returns when all are, or throws for the first that was not. */
    void run(List<List<String>> chains) {
        List<List<String>> pending = chains.stream()
                .filter(chain -> chain.stream().anyMatch(label -> !trainings.complete(label)))
                .toList();
        if (pending.isEmpty()) {
            return;
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / Math.min(jobs, pending.size()));
        cache.log(String.format(
                Locale.ROOT,
                "training %s, %d at a time, in child processes of %d engine thread(s); " + "their output: %s",
                pending,
                jobs,
                threads,
                cache.out().resolve(LOGS)));
        Set<ChildJvm> running = ConcurrentHashMap.newKeySet();
        Thread hook = new Thread(() -> stopAll(running), "smdp-reproduce-children");
        Runtime.getRuntime().addShutdownHook(hook);
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            cache.stage(
                    "train side by side (" + jobs + " jobs)",
                    () -> {
                        List<Future<?>> futures = new ArrayList<>();
                        for (List<String> chain : pending) {
                            futures.add(pool.submit(() -> {
                                for (String label : chain) {
                                    trainInChild(label, threads, running);
                                }
                                return null;
                            }));
                        }
                        pool.shutdown();
                        RuntimeException first = null;
                        for (Future<?> f : futures) {
                            try {
                                f.get();
                            } catch (ExecutionException e) {
                                if (first == null) {
                                    first = e.getCause() instanceof RuntimeException re
                                            ? re
                                            : new IllegalStateException(e.getCause());
                                    stopAll(running); // the running children save and exit
                                    futures.forEach(other -> other.cancel(true)); // and the queued ones never start
                                }
                            } catch (CancellationException e) {
                                // not started after a failure
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new Reproduction.Interrupted("interrupted while waiting for the trainings");
                            }
                        }
                        if (first != null) {
                            cache.writeLog();
                            throw first;
                        }
                        return null;
                    },
                    true);
        } finally {
            pool.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is stopping the children
            }
        }
    }

    /** Training {@code label} in a child JVM, unless complete; throws {@link Reproduction.Interrupted} when stopped. */
    private void trainInChild(String label, int threads, Set<ChildJvm> running) throws InterruptedException {
        if (stopping || trainings.complete(label)) {
            return; // when stopping: the failure or signal is reported by the job that saw it
        }
        cache.log(trainings.describe(label));
        Path log = cache.out().resolve(LOGS).resolve(label + ".log");
        long t0 = System.nanoTime();
        ChildJvm child;
        synchronized (running) { // no child starts once stopAll has begun
            if (stopping) {
                return;
            }
            child = ChildJvm.start(mainClass, threads, trainings.childArguments(label), log, cache.echo());
            running.add(child);
        }
        int code;
        try {
            code = child.waitFor();
        } finally {
            running.remove(child);
        }
        cache.record("train " + label, (System.nanoTime() - t0) / 1e9);
        if (code == Reproduction.EXIT_STOPPED || code == 130 || code == 143) {
            throw new Reproduction.Interrupted("training of " + label + " was stopped (its checkpoint is kept); run "
                    + "the same command again to continue");
        }
        if (code != 0) {
            throw new InvalidInputException("training of " + label + " failed in its child process (exit " + code
                    + "); its last lines (all of them in " + log + "):\n" + child.tail());
        }
    }

    /** Asks every running child to stop and save, and waits for them (bounded, as {@link dev.smdp4j.util.Interruption}). */
    private void stopAll(Set<ChildJvm> running) {
        List<ChildJvm> children;
        synchronized (running) {
            stopping = true;
            children = new ArrayList<>(running);
        }
        children.forEach(ChildJvm::stop);
        long deadline = System.nanoTime() + 150_000_000_000L;
        for (ChildJvm c : children) {
            while (c.alive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
