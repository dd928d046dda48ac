/** Starting JVMs as {@code ./smdp} does: the allocator settings every engine process needs, and child JVMs that get them. */
package dev.smdp4j.launch;
