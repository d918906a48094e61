/**
 * Recording client histories of the key-value store and checking that they are linearizable.
 *
 * <p>A test records what its clients did with {@link io.synod.sim.history.History} (or writes the JSON-lines format
 * that {@link io.synod.sim.history.HistoryFile} documents), and hands the resulting list of
 * {@link io.synod.sim.history.Operation}s to {@link io.synod.sim.history.LinearizabilityChecker}. The model is a
 * versioned register per key: see {@link io.synod.sim.history.LinearizabilityChecker} for the rules each operation
 * must obey. {@code synod check-history FILE} runs the same checker on a file.
 */
package io.synod.sim.history;
