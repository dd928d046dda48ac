/** Posterior sampling of many observations on Apache Spark ({@code smdp sample-batch}), built only with the {@code spark} Maven profile. */
package dev.smdp4j.spark;
