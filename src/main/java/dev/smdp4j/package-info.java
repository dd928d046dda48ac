/**
 * smdp4j: score matching via differentiable physics (Holzschuh, Vegetti, Thuerey, 2023) on DJL.
 * Start with {@link dev.smdp4j.cli.Main} for the command line.
 */
package dev.smdp4j;
