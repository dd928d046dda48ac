/** The paper's one-dimensional toy SDE with a bimodal posterior: its physics, its exact Fokker-Planck reference and its metric. */
package dev.smdp4j.problem.toy;
