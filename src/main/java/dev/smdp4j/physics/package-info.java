/**
 * Differentiable physics: the drift abstraction, the exact spectral heat step, a pseudo-spectral
 * two-dimensional incompressible Navier-Stokes solver (vorticity form), and Gaussian random field
 * priors.
 */
package dev.smdp4j.physics;
