/**
 * Result figures, rendered headless to PNG: the heat benchmark's Figures 2 and 3 ({@link
 * dev.smdp4j.report.BenchmarkFigures} from benchmark arrays, {@link dev.smdp4j.report.Figures} from
 * plain arrays) and the 1-D toy SDE's paths and end-state histograms ({@link
 * dev.smdp4j.report.ToyFigures}). Line, log-log and histogram charts are drawn with JFreeChart
 * ({@code Charts} holds the shared styling and panel layout, {@code DecadeAxis} the log axes); the
 * field grid of Figure 2 is painted in plain Java2D by {@code FieldGrid}, since neither JFreeChart
 * nor XChart lays out a grid of images with one colour scale per row. Every PNG is written
 * atomically through {@link dev.smdp4j.io.AtomicFiles}.
 */
package dev.smdp4j.report;
