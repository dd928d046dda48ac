/**
 * Small shared utilities: the one route from host data into the engine (engine-owned copies and
 * scalars), seed derivation and seeded noise streams, engine start-up in offline mode,
 * per-step memory scopes, progress display and interruption handling.
 */
package dev.smdp4j.util;
