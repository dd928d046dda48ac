/** Reconstructing observations with any model or closed form, and the one-command reproduction of the paper's benchmark. */
package dev.smdp4j.pipeline;
