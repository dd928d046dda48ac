/** Data sets of any problem: their parameters, generation, normalisation, imported trajectories, and directories on disk. */
package dev.smdp4j.data;
