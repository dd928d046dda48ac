/** The heat benchmark's data: parameters, generation, normalisation, and data set directories on disk. */
package dev.smdp4j.data;
