import type { DType } from "./dtype.js";
import type { ConcreteTensor, Tensor } from "./tensor.js";
import type { SimdOp } from "./backend/kernels/wasm/elementwise_kernels.js";

/** What a transformation knows of a value without running anything: shape, dtype, weak type. */
export interface AbstractArray {
  /** The length of each axis. */
  readonly shape: readonly number[];
  /** The element type. */
  readonly dtype: DType;
  /** Whether the value is weakly typed (came from a plain JS number). */
  readonly weakType: boolean;
}

/** How a primitive's outputs relate to its operands' buffers (see `Primitive.outputBuffers`). */
export type OutputBuffers = "fresh" | "view";

/** A batched operand's batch axis, or `null` when the operand is not batched. */
export type BatchDim = number | null;

/**
 * One primitive operation, defined once with everything a transformation needs of it
 * (the Autodidax design). Rules are written with `np`/`bind` calls, never with raw buffers,
 * so that the derivative of a derivative and the batch of a derivative work unchanged.
 *
 * `null` stands for a symbolic zero (a tangent or cotangent known to be zero) and is how
 * integer-valued inputs and outputs are treated by differentiation.
 */
export interface Primitive<P = any> {
  /** The lax name (`add`, `reduce_sum`), unique among primitives. */
  readonly name: string;
  /** Eager kernel over concrete tensors. Inputs are already validated by `abstractEval`. */
  impl(inputs: ConcreteTensor[], params: P): ConcreteTensor[];
  /** Shape/dtype rule; throws a typed error (naming the primitive) on invalid operands. */
  abstractEval(inputs: AbstractArray[], params: P): AbstractArray[];
  /** Forward mode: outputs and their tangents given input tangents. */
  jvp?(primals: Tensor[], tangents: (Tensor | null)[], params: P): [Tensor[], (Tensor | null)[]];
  /**
   * Reverse mode: input cotangents from output cotangents. `needsGrad[i]` says whether the
   * i-th input's cotangent is wanted; a rule may return `null` for the others.
   */
  vjp?(cotangents: (Tensor | null)[], primals: Tensor[], outputs: Tensor[], params: P, needsGrad: boolean[]): (Tensor | null)[];
  /** vmap: run on operands batched along `dims`; returns outputs and their batch axes. */
  batch?(args: Tensor[], dims: BatchDim[], params: P): [Tensor[], BatchDim[]];
  /**
   * Elementwise primitives only: the scalar function computing one output element from the
   * input elements, for these operand types. Must return the same function object for the same
   * operand dtypes (compiled kernels are cached by it). `jit` fuses chains of such primitives
   * into one loop; eager kernels run it through the same compiled loops.
   */
  scalarKernel?(inputs: AbstractArray[], params: P): (...args: number[]) => number;
  /**
   * For an elementwise primitive whose `impl` has a whole-array kernel faster than a fused
   * scalar loop for these operands (GELU on large float32 arrays runs in WebAssembly SIMD):
   * `true` tells jit to run the equation on its own instead of fusing it. Either way the
   * results are the same, bit for bit.
   */
  unfusedFor?(inputs: AbstractArray[], params: P): boolean;
  /**
   * Lowering fact for fused elementwise loops: the WebAssembly SIMD operation that computes
   * exactly what `scalarKernel` computes for these operands (float32 values, bool masks), or
   * `undefined` when there is none. A fused loop whose every operation has one runs in
   * WebAssembly, split across threads; the results are the same bit for bit.
   */
  simdLowering?(inputs: AbstractArray[], params: P): SimdOp | undefined;
  /**
   * Lowering fact for jit: for these operands, an equation of `partner` with the same operands
   * and params computes alongside this one's in one equation of `joint` (its results: this
   * primitive's, then the partner's), cheaper than the two apart and with the same bits. `compile`
   * merges such pairs (`backend/compile/merge_joint.ts`): GELU and its derivative at one operand,
   * which a training step computes in its forward and backward passes, share their exp.
   */
  jointWith?(inputs: AbstractArray[], params: P): { readonly partner: Primitive; readonly joint: Primitive } | undefined;
  /**
   * Lowering fact for jit: for these operands, equations of this primitive whose operands start
   * with all of an earlier such equation's operands (and the same params) may grow one buffer
   * along their results' leading axis. The chain's first equation becomes one of `open` (params
   * `{ capacity }`: the leading length of the chain's last result), each later one an equation of
   * `extend` over the previous result and its own remaining operands (params `{}`); both give
   * the same values as the equations they replace. `compile` forms such chains
   * (`backend/compile/grow_chains.ts`): a densely connected network's layer inputs are
   * `[x, h1]`, `[x, h1, h2]`, ..., each a concatenation copying the one before.
   */
  growsWith?(inputs: AbstractArray[], params: P): { readonly open: Primitive; readonly extend: Primitive } | undefined;
  /** Marks primitives whose outputs are never differentiable (comparisons, integer ops, random bits). */
  readonly nonDifferentiable?: boolean;
  /**
   * Lowering fact for the jit executor's buffer plan: what `impl`'s outputs are made of.
   * `"fresh"`: newly allocated buffers owned by the outputs alone (never an operand's buffer,
   * a view of one, or a shared constant), so jit may hand them back to the allocator once their
   * last reader has run. `"view"`: an output may share an operand's buffer (reshape, transpose,
   * broadcast, slice, identities), so a value that outlives the call keeps its operands' buffers.
   * Unmarked primitives are treated as `"view"` (the safe assumption).
   */
  readonly outputBuffers?: OutputBuffers;
  /**
   * With `outputBuffers: "view"`, the operands (by position) whose buffers an output may share,
   * when not every operand's: `concatenate_extend`'s result views its first operand's buffer,
   * never the blocks it copies in, so the buffer plan may hand those back after it. Unset: any
   * operand's.
   */
  readonly viewsOperands?: readonly number[];
}

const registry = new Map<string, Primitive>();

/**
 * Define a primitive; names are unique (a second definition with the same name throws).
 * Every primitive is listed in `allPrimitives()`.
 *
 * @example
 * const doubleP: Primitive = definePrimitive({
 *   name: "my_double",
 *   abstractEval: ([x]) => [x!],
 *   impl: ([x]) => [np.multiply(x!, 2).concrete()],
 *   jvp: ([x], [t]) => [[bind1(doubleP, [x!])], [t ? bind1(doubleP, [t]) : null]],
 *   vjp: ([ct]) => [ct ? bind1(doubleP, [ct]) : null],
 * });
 */
export function definePrimitive<P>(prim: Primitive<P>): Primitive<P> {
  if (registry.has(prim.name)) throw new Error(`primitive ${prim.name} is defined twice`);
  registry.set(prim.name, prim as Primitive);
  return prim;
}

/**
 * Every primitive defined so far, by name (the verification harness checks it covers them all).
 *
 * @example
 * allPrimitives().get("add")?.name; // "add"
 */
export function allPrimitives(): ReadonlyMap<string, Primitive> {
  return registry;
}
