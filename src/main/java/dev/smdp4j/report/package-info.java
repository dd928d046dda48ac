/** Result reporting: tables and figures of the benchmark reproduction. */
package dev.smdp4j.report;
