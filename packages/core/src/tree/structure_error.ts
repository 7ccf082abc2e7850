import { ValueError } from "../errors.js";

/**
 * Two pytrees that should have the same structure do not (`tree.map` with several trees,
 * `combine`, `applyUpdates`, ...). The message names the operation, the first place where the
 * trees differ, and both structures as `PyTreeDef(...)` strings.
 *
 * @example
 * try { tree.map((a, b) => a + b, [1, 2], [1]); } catch (e) { e instanceof TreeStructureError; } // true
 */
export class TreeStructureError extends ValueError {}
