/** Networks as DJL blocks: periodic convolutions, the time-conditioned score network, the baselines' U-Net and FNO, the toy's MLP and the physics surrogate. */
package dev.smdp4j.nn;
