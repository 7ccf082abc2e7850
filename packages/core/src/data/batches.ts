/**
 * `batches`: shuffled minibatches of a pytree of arrays along their leading axis.
 *
 * Each batch is one row gather per leaf (`np.take` along axis 0 with that batch's indices), so
 * a pass over MNIST's 60000×784 training images copies each row once and never builds a
 * permuted copy of the whole set.
 */
import { ShapeError, ValueError } from "../errors.js";
import { ConcreteTensor, Tensor } from "../tensor.js";
import { take } from "../np/indexing.js";
import { permutation } from "../random/permutation.js";
import { flatten, formatPath, leavesWithPath, unflatten } from "../tree/tree.js";

/** Options of `batches`. */
export interface BatchesOptions {
  /**
   * Drop the last batch when it has fewer than `batchSize` rows (default false: it is kept,
   * smaller). Dropping it keeps every batch the same shape, so a jitted step never retraces.
   */
  dropLast?: boolean;
}

/** The minibatches of one pass: iterate it (each iteration is the same pass, in the same order). */
export interface Batches<T> extends Iterable<T> {
  /** How many batches a pass yields. */
  readonly numBatches: number;
  /** How many rows (leading-axis entries) every leaf has. */
  readonly numRows: number;
  /** The requested batch size (the last batch may be smaller unless `dropLast`). */
  readonly batchSize: number;
}

const OPTION_NAMES = new Set(["dropLast"]);

function checkOptions(options: unknown, op: string): boolean {
  if (typeof options !== "object" || options === null) throw new ValueError(`${op}: options must be an object like { dropLast }, got ${String(options)}`);
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw new ValueError(`${op}: unknown option "${name}" (expected dropLast)`);
  }
  const dropLast = (options as BatchesOptions).dropLast ?? false;
  if (typeof dropLast !== "boolean") throw new ValueError(`${op}: dropLast must be a boolean, got ${typeof dropLast}`);
  return dropLast;
}

/** The common leading size of every leaf, or a `ShapeError` naming the leaves that disagree. */
function leadingSize(tree: unknown, op: string): number {
  const entries = leavesWithPath(tree);
  if (entries.length === 0) throw new ValueError(`${op}: the tree has no leaves to batch`);
  let n: number | null = null;
  let firstPath = "";
  for (const [path, leaf] of entries) {
    const name = formatPath(path);
    if (!(leaf instanceof Tensor)) {
      throw new ValueError(`${op}: leaf ${name} is ${leaf === null ? "null" : typeof leaf}, not a tensor; every leaf must be an array with a leading axis to batch along`);
    }
    if (leaf.ndim === 0) throw new ShapeError(`${op}: leaf ${name} is 0-d (shape []); every leaf needs a leading axis to batch along`);
    const rows = leaf.shape[0]!;
    if (n === null) {
      n = rows;
      firstPath = name;
    } else if (rows !== n) {
      throw new ShapeError(`${op}: leaves have different leading sizes: ${firstPath} has ${n} rows (shape [${(entries[0]![1] as Tensor).shape.join(", ")}]) but ${name} has ${rows} (shape [${leaf.shape.join(", ")}])`);
    }
  }
  return n!;
}

/**
 * Minibatches of `tree` (any pytree of arrays sharing their leading size `n`), sliced along
 * axis 0 in the order `random.permutation(key, n)`: every row appears exactly once per pass,
 * batches of `batchSize` rows, the last one smaller unless `dropLast`. The result is iterable
 * (each iteration repeats the same pass: split the key per epoch for a new order) and knows its
 * `numBatches`. A `batchSize` that is not a positive integer is a `ValueError`; leaves with
 * different leading sizes are a `ShapeError` naming them.
 *
 * @example
 * for (const { x, y } of data.batches(random.foldIn(key, epoch), { x: images, y: labels }, 100)) {
 *   [net, state] = step(net, state, x, y);
 * }
 */
export function batches<T>(key: Tensor, tree: T, batchSize: number, options: BatchesOptions = {}): Batches<T> {
  const op = "data.batches";
  if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize <= 0) {
    throw new ValueError(`${op}: batchSize must be a positive integer, got ${typeof batchSize === "number" ? batchSize : typeof batchSize}`);
  }
  const dropLast = checkOptions(options, op);
  const n = leadingSize(tree, op);
  const [leaves, def] = flatten(tree);
  const order = permutation(key, n).concrete().contiguousData() as Int32Array;
  const numBatches = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
  return {
    numBatches,
    numRows: n,
    batchSize,
    *[Symbol.iterator](): Iterator<T> {
      for (let b = 0; b < numBatches; b++) {
        const start = b * batchSize;
        const end = Math.min(n, start + batchSize);
        const idx = ConcreteTensor.fromData(order.slice(start, end), [end - start], "int32");
        yield unflatten<T>(def, leaves.map((leaf) => take(leaf as Tensor, idx, 0)));
      }
    },
  };
}
