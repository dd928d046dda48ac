/** Networks as DJL blocks: periodic convolutions and the time-conditioned score network. */
package dev.smdp4j.nn;
