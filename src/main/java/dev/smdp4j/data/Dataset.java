package dev.smdp4j.data;

import dev.smdp4j.io.HostArray;

/**
 * A generated data set of any problem, in physical units.
 *
 * @param spec the parameters it was generated with (problem included)
 * @param normalisation the normalisation of the training initial states
 * @param trainX0 training initial states {@code [n_train, ...state]}
 * @param testX0 test initial states {@code [n_test, ...state]}
 * @param testY observations of the test states {@code [n_test, ...state]}
 * @param trajectories noisy training trajectories {@code [n_train, M + 1, ...state]}, or null when not requested
 */
public record Dataset(
        DatasetSpec spec,
        Normalisation normalisation,
        HostArray trainX0,
        HostArray testX0,
        HostArray testY,
        HostArray trajectories) {}
