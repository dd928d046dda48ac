/** Small shared utilities: seed derivation, engine start-up, progress display. */
package dev.smdp4j.util;
