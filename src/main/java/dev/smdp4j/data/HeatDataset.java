package dev.smdp4j.data;

import dev.smdp4j.io.HostArray;

/**
 * A generated heat benchmark in physical units.
 *
 * @param spec the parameters it was generated with
 * @param normalisation mean and std of the training initial states
 * @param trainX0 training initial states {@code [n_train, N, N]}
 * @param testX0 test initial states {@code [n_test, N, N]}
 * @param testY observations {@code y = H_T(x0) + s e} of the test states {@code [n_test, N, N]}
 * @param trajectories noisy training trajectories {@code [n_train, M + 1, N, N]}, or null when not requested
 */
public record HeatDataset(DatasetSpec spec, Normalisation normalisation, HostArray trainX0, HostArray testX0,
        HostArray testY, HostArray trajectories) {
}
