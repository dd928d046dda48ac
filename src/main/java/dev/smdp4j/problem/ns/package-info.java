/** The 2-D Navier-Stokes problem: decaying turbulence on a periodic box through the differentiable pseudo-spectral solver. */
package dev.smdp4j.problem.ns;
