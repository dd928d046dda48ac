/** Starting JVMs as {@code ./smdp} does: the process settings (allocator, MKL reproducibility) every engine process needs, and child JVMs that get them. */
package dev.smdp4j.launch;
