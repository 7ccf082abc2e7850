import ndarray, { type NdArray } from "ndarray";
import { castScalar, type DType, type TypedArray } from "./dtype.js";
import { allocate, allocateUninitialized, recycle, typedArrayFor } from "./backend/buffers.js";
import { DeletedArrayError, ValueError } from "./errors.js";
import { coversStorage, deletionCause, isDeletedTensor, markStorageDeleted, markTensorDeleted } from "./deletion.js";
import { contiguousStrides, copyStrided } from "./backend/kernels/layout.js";

/** What an operand may be: a tensor (concrete or traced) or a plain JS number (weakly typed). */
export type ArrayLike = Tensor | number | boolean;

/** A nested JS array of numbers, as produced by `toArray()`. */
export type NestedArray = number | NestedArray[];

/**
 * The operations that back `Tensor`'s method forms. They live in `np`; `np` installs them
 * when it loads (see `np/methods.ts`), which keeps this module free of import cycles.
 */
export interface TensorMethodOps {
  add(a: ArrayLike, b: ArrayLike): Tensor;
  subtract(a: ArrayLike, b: ArrayLike): Tensor;
  multiply(a: ArrayLike, b: ArrayLike): Tensor;
  divide(a: ArrayLike, b: ArrayLike): Tensor;
  power(a: ArrayLike, b: ArrayLike): Tensor;
  negative(a: ArrayLike): Tensor;
  matmul(a: ArrayLike, b: ArrayLike): Tensor;
  sum(a: ArrayLike, axis?: number | readonly number[] | null | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Tensor;
  mean(a: ArrayLike, axis?: number | readonly number[] | null | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Tensor;
  max(a: ArrayLike, axis?: number | readonly number[] | null | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Tensor;
  min(a: ArrayLike, axis?: number | readonly number[] | null | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Tensor;
  reshape(a: ArrayLike, shape: readonly number[]): Tensor;
  transpose(a: ArrayLike, axes?: readonly number[]): Tensor;
  astype(a: ArrayLike, dtype: DType): Tensor;
  take(a: ArrayLike, indices: ArrayLike | readonly number[], axis?: number): Tensor;
}

/** Options of reductions (`sum`, `mean`, `max`, `min`, ...). */
export interface ReduceOptions {
  /** The axis or axes to reduce (negative counted from the end); `null` or absent reduces all. */
  axis?: number | readonly number[] | null;
  /** Keep each reduced axis as a length-1 axis (default false). */
  keepdims?: boolean;
}

let methodOps: TensorMethodOps | null = null;

/** @internal Called once by `np` to back the method forms. */
export function installTensorMethodOps(ops: TensorMethodOps): void {
  methodOps = ops;
}

function ops(): TensorMethodOps {
  if (!methodOps) throw new Error("@connex/core: np operations are not loaded");
  return methodOps;
}

/** Whether a view covers a whole buffer of `length` elements in row-major order. */
function isRowMajor(shape: readonly number[], stride: readonly number[], offset: number, length: number): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return offset === 0 && length === expected;
}

/**
 * A copy of a shape or stride as a plain array. Tensors own such copies, readonly in their
 * type but not frozen: V8 (Node 20) runs `slice`, `every`, `some`, `filter`, `forEach`,
 * `findIndex` and `join` of a frozen array on a slow path (a 3-element frozen array's `slice(1)`
 * 507 ns against 67 ns, `every` 276 against 108, `forEach` 234 against 58; 2-core AMD EPYC,
 * 2026-12-08), and every primitive takes its operands' shapes apart that way: the LeNet-300-100
 * step at 3.6 % of its edges (56 steps, one thread) took 0.946x its time (`TOGGLE` A/B, 20
 * pairs, quartiles 0.880-1.060) with plain copies. A copy (a loop; `slice` of a frozen array
 * is the slow one) costs about 50 ns.
 */
function plainCopy(xs: readonly number[]): number[] {
  const n = xs.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = xs[i]!;
  return out;
}

type NdFactory = (data: TypedArray, shape: readonly number[], stride: readonly number[], offset: number) => NdArray<TypedArray>;
const ndFactories = new Map<unknown, NdFactory[]>();
/** Each tensor's `ndarray` view, once asked for (see `ConcreteTensor.nd`). */
const ndViews = new WeakMap<object, NdArray<TypedArray>>();

/**
 * An `ndarray` view, built without the library's per-call type sniffing: the first view of a
 * given array type and rank goes through `ndarray()`, and its generated class is then called
 * directly (ndarray's classes take the shape and stride entries as separate arguments).
 */
function ndView(data: TypedArray, shape: readonly number[], stride: readonly number[], offset: number): NdArray<TypedArray> {
  let list = ndFactories.get(data.constructor);
  if (!list) ndFactories.set(data.constructor, (list = []));
  const make = list[shape.length];
  if (make) return make(data, shape, stride, offset);
  const probe = ndarray(data, shape.slice(), stride.slice(), offset);
  const View = probe.constructor;
  const args = [...shape.map((_, i) => `s[${i}]`), ...shape.map((_, i) => `t[${i}]`), "o"].join(", ");
  // The tag keeps sources distinct per array type: V8 caches `new Function` by source text and
  // functions from one cache entry share type feedback (the `new View` site would go megamorphic).
  const tag = `${(data.constructor as { name: string }).name} rank ${shape.length}`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  list[shape.length] = new Function("View", `return function (d, s, t, o) { return new View(d, ${args}); }; // ${tag}`)(View) as NdFactory;
  return probe;
}

/**
 * The number of elements of a shape (1 for a scalar's `[]`).
 *
 * @example
 * sizeOf([2, 3]); // 6
 */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * An immutable n-dimensional array. `Tensor` is the type users see: concrete tensors hold data
 * (`ConcreteTensor`), and under a transformation the same functions receive tracers
 * (subclasses defined by `@connex/autodiff`) that stand in for them. Every operation goes
 * through `np`, so user code works the same on both.
 */
export abstract class Tensor {
  /** The length of each axis. */
  abstract readonly shape: readonly number[];
  /** The element type. */
  abstract readonly dtype: DType;
  /** True for values that came from plain JS numbers: they adopt the other operand's dtype. */
  abstract readonly weakType: boolean;

  /** The number of axes (0 for a scalar). */
  get ndim(): number {
    return this.shape.length;
  }
  /** The number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** The concrete tensor behind this value; tracers without one throw `ConcretizationError`. */
  abstract concrete(): ConcreteTensor;

  /**
   * Whether this array was deleted, donated to a jitted call (`donateArgnums`, `filterJit`'s
   * `donate`) or by `delete()`: reading or passing it then throws `DeletedArrayError` (JAX's
   * `is_deleted`).
   * Tracers are never deleted.
   */
  isDeleted(): boolean {
    return false;
  }

  /**
   * Deletes the array now (JAX's `Array.delete()`): reading or passing it afterwards throws
   * `DeletedArrayError`. When the array covers its whole storage, that storage goes back to the
   * allocator (a block of the kernel memory at once, rather than when the garbage collector
   * finds the array) and every array sharing it is deleted too: a reshape, transpose or slice of
   * it reads the same memory. A view of part of a larger array is deleted alone. Deleting twice
   * does nothing. Throws `ValueError` for a traced value (inside `jit`, `grad` or `vmap`), which
   * has no buffer of its own.
   *
   * @example
   * const big = np.zeros([4096, 4096]); // ... use it ...
   * big.delete(); // its 64 MiB are free now; big.isDeleted() === true
   */
  delete(): void {
    throw new ValueError(`delete: a traced value (shape [${this.shape.join(", ")}], ${this.dtype}) has no buffer of its own to delete; delete concrete arrays outside the transformation`);
  }

  /** A flat row-major copy of the values, in a buffer of its own. */
  toTypedArray(): TypedArray {
    return this.concrete().toTypedArray();
  }
  /** The values as nested JS arrays of numbers (bool as 0/1). */
  toArray(): NestedArray {
    return this.concrete().toArray();
  }
  /** The single value of a size-1 tensor. */
  item(): number {
    return this.concrete().item();
  }
  /** The sub-tensors along the first axis, in order (`for (const row of m)`); throws for a 0-d tensor. */
  *[Symbol.iterator](): Iterator<Tensor> {
    if (this.ndim === 0) throw new ValueError(`cannot iterate over a 0-d tensor`);
    for (let i = 0; i < this.shape[0]!; i++) yield ops().take(this, i, 0);
  }

  /** `np.add(this, y)`, with broadcasting and type promotion. */
  add(y: ArrayLike): Tensor {
    return ops().add(this, y);
  }
  /** `np.subtract(this, y)`. */
  sub(y: ArrayLike): Tensor {
    return ops().subtract(this, y);
  }
  /** `np.multiply(this, y)`. */
  mul(y: ArrayLike): Tensor {
    return ops().multiply(this, y);
  }
  /** `np.divide(this, y)` (true division). */
  div(y: ArrayLike): Tensor {
    return ops().divide(this, y);
  }
  /** `np.power(this, y)`. */
  pow(y: ArrayLike): Tensor {
    return ops().power(this, y);
  }
  /** `np.negative(this)`. */
  neg(): Tensor {
    return ops().negative(this);
  }
  /** `np.matmul(this, y)`. */
  matmul(y: ArrayLike): Tensor {
    return ops().matmul(this, y);
  }
  /** `np.sum(this, axis, opts)`: the sum over all axes or `axis` (positional, as `x.sum(1)`, or `{ axis }`). */
  sum(axis?: number | readonly number[] | null | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Tensor {
    return ops().sum(this, axis, opts);
  }
  /** `np.mean(this, axis, opts)`. */
  mean(axis?: number | readonly number[] | null | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Tensor {
    return ops().mean(this, axis, opts);
  }
  /** `np.max(this, axis, opts)`. */
  max(axis?: number | readonly number[] | null | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Tensor {
    return ops().max(this, axis, opts);
  }
  /** `np.min(this, axis, opts)`. */
  min(axis?: number | readonly number[] | null | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Tensor {
    return ops().min(this, axis, opts);
  }
  /** `np.reshape(this, shape)`; one entry may be -1. */
  reshape(shape: readonly number[]): Tensor {
    return ops().reshape(this, shape);
  }
  /** `np.transpose(this, axes)`: axes reversed unless given. */
  transpose(axes?: readonly number[]): Tensor {
    return ops().transpose(this, axes);
  }
  /** The transpose with all axes reversed (`np.transpose(this)`). */
  get T(): Tensor {
    return ops().transpose(this);
  }
  /** `np.astype(this, dtype)`: a cast (float to int truncates toward zero). */
  astype(dtype: DType): Tensor {
    return ops().astype(this, dtype);
  }
}

/**
 * A tensor with data: an `ndarray` view (shape, strides, offset) over a typed array that no
 * one writes to after construction. Transposes, broadcasts and slices are new views over the
 * same buffer; kernels read views through `contiguousData()`, which copies only when needed.
 */
export class ConcreteTensor extends Tensor {
  /** The length of each axis (the tensor's own array; see `plainCopy`). */
  readonly shape: readonly number[];
  /** The element type. */
  readonly dtype: DType;
  /** True for values that came from plain JS numbers. */
  readonly weakType: boolean;
  /**
   * @internal The typed array the view reads (its elements from `offset`, by `stride`). Never
   * written to.
   */
  readonly data: TypedArray;
  /** The view's step in the buffer along each axis, in elements (0 for broadcast axes; the tensor's own array). */
  readonly stride: readonly number[];
  /** The index in the buffer of the view's first element. */
  readonly offset: number;
  /** True when the view is the whole buffer in row-major order. */
  readonly isContiguous: boolean;

  private constructor(data: TypedArray, shape: readonly number[], stride: readonly number[], offset: number, dtype: DType, weakType: boolean, rowMajor = false, ownStride = false) {
    super();
    // The tensor's own copies (see plainCopy), so no caller's array can change them later;
    // `ownStride`: the caller made `stride` for this tensor alone.
    this.shape = plainCopy(shape);
    this.stride = ownStride ? stride : plainCopy(stride);
    this.offset = offset;
    this.data = data;
    this.dtype = dtype;
    this.weakType = weakType;
    this.isContiguous = rowMajor || isRowMajor(this.shape, this.stride, offset, data.length);
    Object.freeze(this);
  }

  /**
   * @internal The storage as an `ndarray` view (shape, stride, offset over `data`), made on first
   * use and kept: kernels read `data`, `stride` and `offset` directly, so a tensor does not build
   * one it never needs (see docs/ARCHITECTURE.md, "Tensor objects are cheap", for what building
   * one with every tensor cost).
   */
  get nd(): NdArray<TypedArray> {
    let view = ndViews.get(this);
    if (view === undefined) ndViews.set(this, (view = ndView(this.data, this.shape, this.stride, this.offset)));
    return view;
  }

  /** A tensor over `data` in row-major order. The caller hands over `data` and must not write to it. */
  static fromData(data: TypedArray, shape: readonly number[], dtype: DType, weakType = false): ConcreteTensor {
    if (data.length !== sizeOf(shape)) {
      throw new ValueError(`data of length ${data.length} does not fill shape [${shape.join(", ")}]`);
    }
    return new ConcreteTensor(data, shape, contiguousStrides(shape), 0, dtype, weakType, true, true);
  }

  /** A view with explicit strides and offset over another tensor's buffer. */
  static view(base: ConcreteTensor, shape: readonly number[], stride: readonly number[], offset: number): ConcreteTensor {
    return new ConcreteTensor(base.data, shape, stride, offset, base.dtype, base.weakType);
  }

  /** A 0-d tensor holding `value` rounded to `dtype` (see `castScalar`). */
  static scalar(value: number, dtype: DType, weakType = false): ConcreteTensor {
    const data = allocate(dtype, 1);
    data[0] = castScalar(value, dtype);
    return ConcreteTensor.fromData(data, [], dtype, weakType);
  }

  override concrete(): ConcreteTensor {
    this.checkLive("concrete");
    return this;
  }

  override isDeleted(): boolean {
    return isDeletedTensor(this);
  }

  override delete(): void {
    if (isDeletedTensor(this)) return;
    if (!coversStorage(this)) {
      markTensorDeleted(this, "deleted");
      return;
    }
    markStorageDeleted(this.data, "deleted");
    // The memory only: a later allocation gets it as a new array object, which the mark does
    // not reach.
    recycle(this.data);
  }

  /** Throw `DeletedArrayError` (naming `what`) if this tensor was donated to a jitted call or deleted. */
  private checkLive(what: string): void {
    const cause = deletionCause(this);
    if (cause !== null) throw new DeletedArrayError(what, `${this.dtype} [${this.shape.join(", ")}]`, cause);
  }

  /**
   * The storage buffer, for kernels that read the view where it is (at `offset`, by `stride`);
   * callers must treat it as read-only. Throws `DeletedArrayError` (naming `what`) if this
   * tensor was donated.
   */
  storage(what: string): TypedArray {
    this.checkLive(what);
    return this.data;
  }

  /**
   * Row-major values. Returns the underlying buffer itself when the view is contiguous:
   * callers must treat the result as read-only.
   */
  contiguousData(): TypedArray {
    this.checkLive("contiguousData");
    if (this.isContiguous) return this.data;
    return this.copyData();
  }

  /** A fresh row-major copy of the values. */
  copyData(): TypedArray {
    this.checkLive("copyData");
    // copyStrided writes every element.
    const out = allocateUninitialized(this.dtype, this.size);
    copyStrided(this.shape, this.data, this.stride, this.offset, out, contiguousStrides(this.shape), 0);
    return out;
  }

  override toTypedArray(): TypedArray {
    this.checkLive("toTypedArray");
    // The caller owns the result: give it its own buffer, never a view into a shared slab.
    const values = this.contiguousData();
    const own = new (typedArrayFor(this.dtype))(values.length);
    own.set(values);
    return own;
  }

  override toArray(): NestedArray {
    this.checkLive("toArray");
    const flat = this.contiguousData();
    const shape = this.shape;
    if (shape.length === 0) return flat[0]!;
    let pos = 0;
    const build = (ax: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[ax]!; i++) out.push(ax === shape.length - 1 ? flat[pos++]! : build(ax + 1));
      return out;
    };
    return build(0);
  }

  override item(): number {
    this.checkLive("item");
    if (this.size !== 1) {
      throw new ValueError(`item() needs a tensor of size 1, got shape [${this.shape.join(", ")}]`);
    }
    return this.data[this.offset]!;
  }

  override toString(): string {
    const cause = deletionCause(this);
    if (cause !== null) return `Tensor(<deleted: ${cause === "donated" ? "donated to a jitted call" : "by delete()"}>, shape=[${this.shape.join(", ")}], dtype=${this.dtype})`;
    return formatTensor(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

function formatNumber(x: number, dtype: DType): string {
  if (dtype === "bool") return x ? "true" : "false";
  if (dtype === "int32" || dtype === "uint32") return String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.`;
  const digits = dtype === "float32" ? 7 : 15;
  const s = Number(x.toPrecision(digits)).toString();
  return s;
}

/** NumPy-like text: `Tensor([[1., 2.], [3., 4.]], shape=[2, 2], dtype=float32)`; large tensors abbreviated. */
export function formatTensor(t: ConcreteTensor): string {
  const flat = t.contiguousData();
  const shape = t.shape;
  const summarise = t.size > SUMMARY_THRESHOLD;
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  const render = (ax: number, base: number, indent: string): string => {
    if (ax === shape.length) return formatNumber(flat[base]!, t.dtype);
    const n = shape[ax]!;
    const picks: (number | null)[] = [];
    if (summarise && n > 2 * EDGE_ITEMS) {
      for (let i = 0; i < EDGE_ITEMS; i++) picks.push(i);
      picks.push(null);
      for (let i = n - EDGE_ITEMS; i < n; i++) picks.push(i);
    } else {
      for (let i = 0; i < n; i++) picks.push(i);
    }
    const parts = picks.map((i) => (i === null ? "..." : render(ax + 1, base + i * strides[ax]!, indent + " ")));
    const sep = ax === shape.length - 1 ? ", " : `,\n${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const body = render(0, 0, "       ");
  return `Tensor(${body}, shape=[${shape.join(", ")}], dtype=${t.dtype})`;
}

/** Build a contiguous tensor from a row-major typed array of the right constructor. */
export function tensorFromTyped(data: TypedArray, shape: readonly number[], dtype: DType, weakType = false): ConcreteTensor {
  const Ctor = typedArrayFor(dtype);
  const owned = data instanceof Ctor ? data : new Ctor(data);
  return ConcreteTensor.fromData(owned, shape, dtype, weakType);
}
