import { assertDType, castScalar, type DType } from "../dtype.js";
import { allocate } from "../backend/buffers.js";
import { ValueError } from "../errors.js";
import { ConcreteTensor, Tensor, sizeOf } from "../tensor.js";
import { convertTo } from "../primitives/convert.js";
import { broadcastTo } from "./broadcast.js";

/** The `dtype` option of creation functions. */
export interface CreationOptions {
  /** The dtype of the result (each function says its default). */
  dtype?: DType;
}

/** A shape argument: one length or a list of lengths. */
export type ShapeLike = number | readonly number[];

function checkShape(shape: ShapeLike, op: string): number[] {
  const list = typeof shape === "number" ? [shape] : shape.slice();
  if (list.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new ValueError(`${op}: shape [${list.join(", ")}] must contain non-negative integers`);
  }
  return list;
}

function dtypeOf(options: CreationOptions | undefined, fallback: DType, op: string): DType {
  return options?.dtype !== undefined ? assertDType(options.dtype, op) : fallback;
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
export function zeros(shape: ShapeLike, options?: CreationOptions): Tensor {
  return filledTensor(checkShape(shape, "zeros"), dtypeOf(options, "float32", "zeros"), 0);
}

/**
 * A tensor of ones (float32 unless `dtype`).
 *
 * @example
 * np.ones(4, { dtype: "int32" }); // [1, 1, 1, 1]
 */
export function ones(shape: ShapeLike, options?: CreationOptions): Tensor {
  return filledTensor(checkShape(shape, "ones"), dtypeOf(options, "float32", "ones"), 1);
}

/**
 * A tensor filled with `fillValue`. The dtype defaults to the value's: int32 for an integer,
 * float32 for other numbers, bool for a boolean, a tensor's own dtype (which is broadcast).
 *
 * @example
 * np.full([2, 2], 7.5); // [[7.5, 7.5], [7.5, 7.5]]
 */
export function full(shape: ShapeLike, fillValue: number | boolean | Tensor, options?: CreationOptions): Tensor {
  const dims = checkShape(shape, "full");
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
export function zerosLike(x: Tensor, options?: CreationOptions): Tensor {
  return filledTensor(x.shape.slice(), dtypeOf(options, x.dtype, "zerosLike"), 0);
}

/**
 * Ones with the shape (and, unless `dtype`, the dtype) of `x`.
 *
 * @example
 * np.onesLike(np.array([1.5, 2])); // float32 [1, 1]
 */
export function onesLike(x: Tensor, options?: CreationOptions): Tensor {
  return filledTensor(x.shape.slice(), dtypeOf(options, x.dtype, "onesLike"), 1);
}

/**
 * `fillValue` with the shape (and, unless `dtype`, the dtype) of `x`.
 *
 * @example
 * np.fullLike(np.array([1, 2, 3]), -1); // int32 [-1, -1, -1]
 */
export function fullLike(x: Tensor, fillValue: number, options?: CreationOptions): Tensor {
  return filledTensor(x.shape.slice(), dtypeOf(options, x.dtype, "fullLike"), fillValue);
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
  stop?: number | CreationOptions,
  step: number | CreationOptions = 1,
  options?: CreationOptions,
): Tensor {
  // The options object may follow any number of the positional arguments: arange(n, { dtype }).
  if (typeof stop === "object") [options, stop] = [stop, undefined];
  if (typeof step === "object") [options, step] = [step, 1];
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
export function linspace(start: number, stop: number, num = 50, options: LinspaceOptions = {}): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  const endpoint = options.endpoint ?? true;
  const dtype = dtypeOf(options, "float32", "linspace");
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
export function eye(n: number, m?: number, options: EyeOptions = {}): Tensor {
  const cols = m ?? n;
  const k = options.k ?? 0;
  checkShape([n, cols], "eye");
  if (!Number.isInteger(k)) throw new ValueError(`eye: k must be an integer, got ${k}`);
  const dtype = dtypeOf(options, "float32", "eye");
  const data = allocate(dtype, n * cols);
  for (let i = 0; i < n; i++) {
    const j = i + k;
    if (j >= 0 && j < cols) data[i * cols + j] = 1;
  }
  return ConcreteTensor.fromData(data, [n, cols], dtype);
}
