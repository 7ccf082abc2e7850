import { assertDType, castScalar, type DType } from "../dtype.js";
import { allocate } from "../backend/buffers.js";
import { ArgumentTypeError, ValueError } from "../errors.js";
import { ConcreteTensor, Tensor, sizeOf, type ArrayLike } from "../tensor.js";
import { checkOptions, describeArgument } from "../arguments.js";
import { asTensor } from "./asarray.js";
import { convertTo } from "../primitives/convert.js";
import { broadcastTo } from "./broadcast.js";

/** The `dtype` option of creation functions. */
export interface CreationOptions {
  /** The dtype of the result (each function says its default). */
  dtype?: DType;
}

/**
 * The options argument of a creation function: an options object, or a dtype name given
 * positionally as in JAX (`np.zeros([2, 3], "int32")`).
 */
export type DTypeOrOptions<O extends CreationOptions = CreationOptions> = O | DType;

/** A shape argument: one length or a list of lengths. */
export type ShapeLike = number | readonly number[];

function checkShape(shape: ShapeLike, op: string): number[] {
  if (typeof shape !== "number" && !Array.isArray(shape)) {
    throw new ArgumentTypeError(`${op}: shape must be an integer or an array of integers, got ${describeArgument(shape)}`);
  }
  const list = typeof shape === "number" ? [shape] : shape.slice();
  if (list.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new ValueError(`${op}: shape [${list.join(", ")}] must contain non-negative integers`);
  }
  return list;
}

/** Options checked for unknown names; a positional dtype name becomes `{ dtype }`. */
function creationOptions<O extends CreationOptions>(options: DTypeOrOptions<O> | undefined, op: string, known: readonly string[] = ["dtype"]): O {
  if (typeof options === "string") return { dtype: options } as O;
  return checkOptions(op, options, known);
}

function dtypeOf(options: DTypeOrOptions | undefined, fallback: DType, op: string, known?: readonly string[]): DType {
  const opts = creationOptions(options, op, known);
  return opts.dtype !== undefined ? assertDType(opts.dtype, op) : fallback;
}

function filledTensor(shape: number[], dtype: DType, value: number): Tensor {
  const data = allocate(dtype, sizeOf(shape));
  const v = castScalar(value, dtype);
  if (v !== 0) data.fill(v);
  return ConcreteTensor.fromData(data, shape, dtype);
}

/** The dtype JAX gives a Python scalar: bool, int32 for integers, float32 otherwise. */
function scalarDType(value: number | boolean): DType {
  if (typeof value === "boolean") return "bool";
  return Number.isInteger(value) && Math.abs(value) <= 2147483647 ? "int32" : "float32";
}

/**
 * A tensor of zeros (float32 unless `dtype`).
 *
 * @example
 * np.zeros([2, 3]); // float32, shape [2, 3]
 */
export function zeros(shape: ShapeLike, options?: DTypeOrOptions): Tensor {
  return filledTensor(checkShape(shape, "zeros"), dtypeOf(options, "float32", "zeros"), 0);
}

/**
 * A tensor of ones (float32 unless `dtype`).
 *
 * @example
 * np.ones(4, { dtype: "int32" }); // [1, 1, 1, 1]
 */
export function ones(shape: ShapeLike, options?: DTypeOrOptions): Tensor {
  return filledTensor(checkShape(shape, "ones"), dtypeOf(options, "float32", "ones"), 1);
}

/**
 * A tensor filled with `fillValue`. The dtype defaults to the value's: int32 for an integer,
 * float32 for other numbers, bool for a boolean, a tensor's own dtype (which is broadcast).
 *
 * @example
 * np.full([2, 2], 7.5); // [[7.5, 7.5], [7.5, 7.5]]
 */
export function full(shape: ShapeLike, fillValue: number | boolean | Tensor, options?: DTypeOrOptions): Tensor {
  const dims = checkShape(shape, "full");
  if (typeof fillValue !== "number" && typeof fillValue !== "boolean" && !(fillValue instanceof Tensor)) {
    throw new ArgumentTypeError(`full: fillValue must be a number, boolean or tensor, got ${describeArgument(fillValue)}`);
  }
  if (fillValue instanceof Tensor) {
    return broadcastTo(convertTo(fillValue, dtypeOf(options, fillValue.dtype, "full")), dims, "full");
  }
  const value = typeof fillValue === "boolean" ? (fillValue ? 1 : 0) : fillValue;
  return filledTensor(dims, dtypeOf(options, scalarDType(fillValue), "full"), value);
}

/**
 * Zeros with the shape (and, unless `dtype`, the dtype) of `x`.
 *
 * @example
 * np.zerosLike(np.array([[1, 2]])); // int32 [[0, 0]]
 */
export function zerosLike(x: ArrayLike, options?: DTypeOrOptions): Tensor {
  const t = asTensor(x, "zerosLike");
  return filledTensor(t.shape.slice(), dtypeOf(options, t.dtype, "zerosLike"), 0);
}

/**
 * Ones with the shape (and, unless `dtype`, the dtype) of `x`.
 *
 * @example
 * np.onesLike(np.array([1.5, 2])); // float32 [1, 1]
 */
export function onesLike(x: ArrayLike, options?: DTypeOrOptions): Tensor {
  const t = asTensor(x, "onesLike");
  return filledTensor(t.shape.slice(), dtypeOf(options, t.dtype, "onesLike"), 1);
}

/**
 * `fillValue` with the shape (and, unless `dtype`, the dtype) of `x`.
 *
 * @example
 * np.fullLike(np.array([1, 2, 3]), -1); // int32 [-1, -1, -1]
 */
export function fullLike(x: ArrayLike, fillValue: number, options?: DTypeOrOptions): Tensor {
  const t = asTensor(x, "fullLike");
  if (typeof fillValue !== "number") throw new ArgumentTypeError(`fullLike: fillValue must be a number, got ${describeArgument(fillValue)}`);
  return filledTensor(t.shape.slice(), dtypeOf(options, t.dtype, "fullLike"), fillValue);
}

/**
 * Evenly spaced values in `[start, stop)` with `step`, as `np.arange`: `arange(n)` is
 * `0 .. n-1`. int32 when every argument is an integer, float32 otherwise (unless `dtype`). The
 * options object may come right after the last positional argument.
 *
 * @example
 * np.arange(2, 10, 3); // [2, 5, 8]
 * np.arange(4, { dtype: "float32" }); // [0, 1, 2, 3] as float32
 */
export function arange(
  start: number,
  stop?: number | DTypeOrOptions,
  step: number | DTypeOrOptions = 1,
  options?: DTypeOrOptions,
): Tensor {
  // The options object may follow any number of the positional arguments: arange(n, { dtype }).
  if (typeof stop === "object" || typeof stop === "string") [options, stop] = [stop, undefined];
  if (typeof step === "object" || typeof step === "string") [options, step] = [step, 1];
  for (const [name, v] of [["start", start], ["stop", stop], ["step", step]] as const) {
    if (v !== undefined && typeof v !== "number") throw new ArgumentTypeError(`arange: ${name} must be a number, got ${describeArgument(v)}`);
  }
  if (stop === undefined) [start, stop] = [0, start];
  if (![start, stop, step].every(Number.isFinite)) throw new ValueError(`arange: arguments must be finite, got start ${start}, stop ${stop}, step ${step}`);
  if (step === 0) throw new ValueError("arange: step must not be zero");
  const isInt = [start, stop, step].every(Number.isInteger);
  const dtype = dtypeOf(options, isInt ? "int32" : "float32", "arange");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = castScalar(start + i * step, dtype);
  return ConcreteTensor.fromData(data, [n], dtype);
}

/** Options of `linspace`. */
export interface LinspaceOptions extends CreationOptions {
  /** Include `stop` as the last value (default true). */
  endpoint?: boolean;
}

/**
 * `num` evenly spaced values from `start` to `stop` (float32 unless `dtype`), as `np.linspace`.
 *
 * @example
 * np.linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, stop: number, num = 50, options: DTypeOrOptions<LinspaceOptions> = {}): Tensor {
  for (const [name, v] of [["start", start], ["stop", stop]] as const) {
    if (typeof v !== "number") throw new ArgumentTypeError(`linspace: ${name} must be a number, got ${describeArgument(v)}`);
  }
  options = creationOptions(options, "linspace", ["dtype", "endpoint"]);
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  const endpoint = options.endpoint ?? true;
  const dtype = dtypeOf(options, "float32", "linspace", ["dtype", "endpoint"]);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const data = allocate(dtype, num);
  for (let i = 0; i < num; i++) data[i] = castScalar(start + i * step, dtype);
  if (endpoint && num > 1) data[num - 1] = castScalar(stop, dtype);
  return ConcreteTensor.fromData(data, [num], dtype);
}

/** Options of `eye`. */
export interface EyeOptions extends CreationOptions {
  /** Diagonal offset: positive above the main diagonal (default 0). */
  k?: number;
}

/**
 * An `n × m` matrix with ones on diagonal `k` (float32 unless `dtype`).
 *
 * @example
 * np.eye(2); // [[1, 0], [0, 1]]
 * np.eye(2, 3, { k: 1 }); // [[0, 1, 0], [0, 0, 1]]
 */
export function eye(n: number, m?: number | null | DTypeOrOptions<EyeOptions>, options: DTypeOrOptions<EyeOptions> = {}): Tensor {
  if (typeof m === "object" && m !== null) [options, m] = [m, undefined];
  options = creationOptions(options, "eye", ["dtype", "k"]);
  if (typeof m === "string") [options, m] = [{ ...options, dtype: m }, undefined];
  const cols = m ?? n;
  const k = options.k ?? 0;
  checkShape([n, cols], "eye");
  if (!Number.isInteger(k)) throw new ValueError(`eye: k must be an integer, got ${k}`);
  const dtype = dtypeOf(options, "float32", "eye", ["dtype", "k"]);
  const data = allocate(dtype, n * cols);
  for (let i = 0; i < n; i++) {
    const j = i + k;
    if (j >= 0 && j < cols) data[i * cols + j] = 1;
  }
  return ConcreteTensor.fromData(data, [n, cols], dtype);
}
