/** The stochastic process: SDE (physics drift + diffusion), time grids, Euler-Maruyama forward simulation. */
package dev.smdp4j.sde;
