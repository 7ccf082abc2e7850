/**
 * Research helpers for plasticity experiments: magnitude pruning, random regrowth, rewinding
 * to earlier parameters, and the edge list with its weights for analysis. Pure, built on the
 * plasticity edits, so untouched batches are shared as by every edit.
 */
export { edgeWeights, type EdgeWeights } from "./edge_weights.js";
export { pruneByMagnitude, type PruneCriterion, type PruneOptions } from "./prune_by_magnitude.js";
export { rewind, IncompatibleNetworksError } from "./rewind.js";
export { regrowConnections, NotEnoughCandidatesError, type RegrowOptions } from "./regrow_connections.js";
