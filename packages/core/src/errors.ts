/**
 * Typed errors thrown by `@connex/core`. Every message names the operation and the culprit
 * (shape, dtype, axis or value) so a user can find the offending call without a debugger.
 */
import type { DeletionCause } from "./deletion.js";

/** Base class of every error raised by the array library. */
export class CoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Incompatible or invalid shapes (broadcasting, matmul, reshape, ...). */
export class ShapeError extends CoreError {}

/** A dtype an operation does not accept, or an impossible conversion. */
export class DTypeError extends CoreError {}

/** An axis outside `[-ndim, ndim)` or repeated where axes must be distinct. */
export class AxisError extends CoreError {}

/** An index outside the bounds of the axis it indexes. */
export class IndexError extends CoreError {}

/** Any other invalid argument value (negative size, bad option, ...). */
export class ValueError extends CoreError {}

/**
 * A traced (abstract) value was used where a concrete JS value is required, e.g. to drive
 * an `if` under `jit`, or a batched value converted to a number under `vmap`.
 */
export class ConcretizationError extends CoreError {}

/** A tracer was used after the transformation that created it had finished. */
export class LeakedTracerError extends CoreError {}

/** A transformation met a primitive that has no rule for it. */
export class MissingRuleError extends CoreError {}

/**
 * An argument of the wrong kind: a string where an axis goes, an options object where a tensor
 * goes, a non-function where a callback goes. A `ValueError`, so code catching those still does.
 *
 * @example
 * np.sum(np.ones([2, 3]), "1"); // throws ArgumentTypeError: sum: axis must be an integer or an array of integers, got string "1"
 */
export class ArgumentTypeError extends ValueError {}

/**
 * An options object with a name the function does not know (a typo such as `axes` for `axis`
 * would otherwise be ignored silently). `option` is the unknown name, `where` the function.
 *
 * @example
 * np.sum(np.ones([2, 3]), { axes: 1 }); // throws UnknownOptionError: sum: unknown option "axes" (known: axis, keepdims, dtype, where)
 */
export class UnknownOptionError extends ValueError {
  /** The unknown option name. */
  readonly option: string;
  /** The function that rejected it. */
  readonly where: string;

  constructor(where: string, option: string, known: readonly string[]) {
    super(`${where}: unknown option "${option}" (known: ${known.length === 0 ? "none" : known.join(", ")})`);
    this.option = option;
    this.where = where;
  }
}

/**
 * A tensor whose storage was donated to a jitted call (`jit(f, { donateArgnums })`,
 * `filterJit(f, { donate })`), or deleted by `delete()`, was used afterwards: its memory may
 * since hold other values (JAX raises the same for a deleted array). `where` names the
 * operation that met it; the message says which of the two deleted it.
 *
 * @example
 * const step = jit((w) => np.multiply(w, 2), { donateArgnums: 0 });
 * const w2 = step(w);
 * w.toArray(); // throws DeletedArrayError: toArray: the array (float32 [1000]) was donated to a jitted call ...
 */
export class DeletedArrayError extends ValueError {
  /** The operation that met the deleted array. */
  readonly where: string;

  /** `what` describes the array (dtype and shape, and where it was passed); `cause`, how it was deleted. */
  constructor(where: string, what: string, cause: DeletionCause = "donated") {
    super(
      cause === "donated"
        ? `${where}: the array (${what}) was donated to a jitted call (donateArgnums / filterJit's donate) and has been deleted; ` +
            `its memory may hold other values now. Use the call's results instead, or do not donate an argument you still need.`
        : `${where}: the array (${what}) was deleted by delete() (its own, or that of an array sharing its storage: a reshape, ` +
            `transpose or slice of it); its memory may hold other values now.`,
    );
    this.where = where;
  }
}
