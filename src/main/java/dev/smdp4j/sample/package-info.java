/** Algorithm 1 and friends: reverse-time SDE and probability-flow ODE samplers, registered by name. */
package dev.smdp4j.sample;
