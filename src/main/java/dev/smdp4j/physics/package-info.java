/** Differentiable physics: the drift abstraction, the exact spectral heat step, and Gaussian random field priors. */
package dev.smdp4j.physics;
