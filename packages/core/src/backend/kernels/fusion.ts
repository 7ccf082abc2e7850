/**
 * Fused elementwise kernels, generated as JavaScript source and compiled once per program.
 *
 * A program is a small register machine over one element: load each input (through its
 * strides, so broadcast and transposed views are read in place), apply a chain of scalar
 * kernels, store the requested registers. Every generated function has its own call sites, so
 * V8 sees each scalar kernel monomorphically and inlines it. Eager elementwise primitives run
 * one-op programs; `jit` fuses whole chains of them into one loop.
 */
import { type DType, type TypedArray } from "../../dtype.js";
import { allocate, allocateUninitialized } from "../buffers.js";
import { ConcreteTensor } from "../../tensor.js";
import { contiguousStrides } from "./layout.js";
import type { SimdOp } from "./wasm/elementwise_kernels.js";
import { runsAsOwnFunction, runSimd, simdRunnable, type SimdOperand, type SimdProgram } from "./wasm/elementwise_wasm.js";

/** The scalar function of an elementwise operation: input elements in, one output element out. */
export type ScalarKernel = (...args: number[]) => number;

/** One step of a fused program: apply `kernel` to registers `args`, rounding to `dtype`. */
export interface FusedOp {
  /** The scalar function to apply. */
  readonly kernel: ScalarKernel;
  /** Registers read (inputs are registers 0..numInputs-1; op k writes numInputs + k). */
  readonly args: readonly number[];
  /** The dtype the result is rounded or wrapped to. */
  readonly dtype: DType;
  /** The WebAssembly SIMD operation computing exactly what `kernel` does, when there is one (see `Primitive.simdLowering`). */
  readonly simd?: SimdOp;
}

/** A chain of elementwise operations over one element: the unit `fusedKernel` compiles. */
export interface FusedProgram {
  /** The dtypes of the inputs (registers 0..inputs.length-1). */
  readonly inputs: readonly DType[];
  /** The operations in order; op k writes register inputs.length + k. */
  readonly ops: readonly FusedOp[];
  /** Registers stored to the outputs, with the output dtypes. */
  readonly outputs: readonly number[];
}

type Compiled = (
  K: readonly ScalarKernel[],
  data: readonly TypedArray[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  shape: readonly number[],
  outs: TypedArray[],
  ostrides?: readonly number[],
) => void;

/** The JS expression that rounds/wraps a number to what `dtype` holds. */
function cast(expr: string, dtype: DType): string {
  switch (dtype) {
    case "float32":
      return `Math.fround(${expr})`;
    case "float64":
      return expr;
    case "int32":
      return `((${expr}) | 0)`;
    case "uint32":
      return `((${expr}) >>> 0)`;
    case "bool":
      // `+!!x` compiles without a branch (`x ? 1 : 0` did not: a comparison of random signs,
      // a ReLU's mask, mispredicted half the time: 87 µs against 26 µs over [300, 100]).
      return `(+!!(${expr}))`;
  }
}

/** Makes every generated function's source unique (see the end of `generate`). */
let nextProgramTag = 0;

/** Whether input `m` is in the bitmask of broadcast-scalar inputs. */
const inMask = (mask: number, m: number) => (mask & (1 << m)) !== 0;

/** The statement loading input `m` at `index` into its register (float32 rounded on load). */
function loadInput(program: FusedProgram, m: number, index: string): string {
  return `const r${m} = ${program.inputs[m] === "float32" ? `Math.fround(d${m}[${index}])` : `d${m}[${index}]`};`;
}

/** The per-element statements after the loads: every op into its register, then the stores at `index`. */
function opsAndStores(program: FusedProgram, index: string): string[] {
  const nIn = program.inputs.length;
  return [
    ...program.ops.map((op, k) => `const r${nIn + k} = ${cast(`K${k}(${op.args.map((a) => `r${a}`).join(", ")})`, op.dtype)};`),
    ...program.outputs.map((reg, q) => `o${q}[${index}] = r${reg};`),
  ];
}

/** Compile generated statements (with the tag that keeps their source unique) into a `Compiled`. */
function compile(lines: string[], what: string): Compiled {
  // V8 caches `new Function` by source text, and functions from a cache hit share their type
  // feedback. Programs that differ only in their kernels generate the same text (kernels come
  // in through `K`), so without a unique tag the `K0(...)` call sites of every add, multiply
  // and shift program would share feedback, turn megamorphic and stop being inlined (measured:
  // a jitted x + 1 over 500 floats went from 3.1 to 7.1 µs once random.uniform had run).
  lines.push(`// fused program #${nextProgramTag++}, ${what}`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function("K", "data", "strides", "offsets", "shape", "outs", "ostrides", lines.join("\n")) as Compiled;
}

/**
 * The general strided loop nest over `rank` dimensions. Loops run in `order` (outermost
 * first): normally the row-major order, but a short last axis is moved outward so the longest
 * axis runs innermost (a [250, 2] block with a broadcast bias runs 2 loops of 250, not 250
 * loops of 2). Outputs are row-major, written through their own strides (`ostrides`); inputs
 * in the `scalars` bitmask (broadcast along every axis) are read once, before the loops.
 */
function generate(program: FusedProgram, rank: number, order: readonly number[], scalars: number): Compiled {
  const nIn = program.inputs.length;
  const lines: string[] = [];
  for (let m = 0; m < nIn; m++) {
    lines.push(`const d${m} = data[${m}]; let p${m} = offsets[${m}];`);
    for (let d = 0; d < rank; d++) lines.push(`const s${m}_${d} = strides[${m}][${d}];`);
  }
  program.outputs.forEach((_, q) => lines.push(`const o${q} = outs[${q}];`));
  for (let d = 0; d < rank; d++) lines.push(`const os_${d} = ostrides[${d}];`);
  program.ops.forEach((_op, k) => lines.push(`const K${k} = K[${k}];`));
  for (let d = 0; d < rank; d++) lines.push(`const n${d} = shape[${d}];`);
  lines.push(`let oi = 0;`);
  const body: string[] = [];
  for (let m = 0; m < nIn; m++) (inMask(scalars, m) ? lines : body).push(loadInput(program, m, `p${m}`));
  body.push(...opsAndStores(program, "oi"));
  const moving = Array.from({ length: nIn }, (_, m) => m).filter((m) => !inMask(scalars, m));
  const pointers = [...moving.map((m) => ({ p: `p${m}`, s: (d: number) => `s${m}_${d}` })), { p: "oi", s: (d: number) => `os_${d}` }];
  const nest = (level: number): string[] => {
    if (level === rank) return body;
    const d = order[level]!;
    const inner = nest(level + 1);
    const outer = level < rank - 1;
    const save = pointers.map((x) => `const q_${x.p}_${level} = ${x.p};`).join(" ");
    const step = pointers.map((x) => `${x.p} += ${x.s(d)};`).join(" ");
    const restore = pointers.map((x) => `${x.p} = q_${x.p}_${level};`).join(" ");
    // Inner loops restore the pointers, then this loop steps them along its dimension.
    return [`for (let i${d} = 0; i${d} < n${d}; i${d}++) {`, ...(outer ? [save] : []), ...inner, ...(outer ? [restore] : []), step, `}`];
  };
  lines.push(...nest(0));
  return compile(lines, `rank ${rank}, loop order ${order.join(",")}, scalar inputs ${scalars}`);
}

/**
 * The loop order for `shape`: row-major, except that when the last axis is short (under 8)
 * the longest axis is moved innermost.
 */
function loopOrder(shape: readonly number[]): number[] {
  const order = shape.map((_, d) => d);
  const rank = shape.length;
  if (rank < 2 || shape[rank - 1]! >= 8) return order;
  let longest = 0;
  for (let d = 1; d < rank; d++) if (shape[d]! > shape[longest]!) longest = d;
  if (longest === rank - 1 || shape[longest]! < 2 * shape[rank - 1]!) return order;
  order.splice(longest, 1);
  order.push(longest);
  return order;
}

/**
 * The loop for inputs that are all contiguous or broadcast scalars (the `scalars` bitmask):
 * one index for every contiguous input and output, and each scalar read once, before the loop
 * (measured on a 3-op, 4-input program over 500 floats: 1.7 µs against 2.3 µs for the
 * general strided loop).
 */
function generateFlat(program: FusedProgram, scalars: number): Compiled {
  const nIn = program.inputs.length;
  const lines: string[] = [];
  for (let m = 0; m < nIn; m++) {
    lines.push(`const d${m} = data[${m}];`);
    if (inMask(scalars, m)) lines.push(loadInput(program, m, `offsets[${m}]`));
  }
  program.outputs.forEach((_, q) => lines.push(`const o${q} = outs[${q}];`));
  program.ops.forEach((_op, k) => lines.push(`const K${k} = K[${k}];`));
  lines.push(`const n = shape[0];`, `for (let i = 0; i < n; i++) {`);
  for (let m = 0; m < nIn; m++) if (!inMask(scalars, m)) lines.push(loadInput(program, m, "i"));
  lines.push(...opsAndStores(program, "i"), `}`);
  return compile(lines, `flat, scalar inputs ${scalars}`);
}

const cache = new Map<string, CompiledProgram>();

function programKey(program: FusedProgram, kernelIds: number[]): string {
  return `${program.inputs.join(",")}|${program.ops.map((o, k) => `${kernelIds[k]}:${o.simd ?? ""}:${o.args.join(".")}:${o.dtype}`).join(";")}|${program.outputs.join(",")}`;
}

const kernelIdOf = new WeakMap<ScalarKernel, number>();
let nextKernelId = 0;
function kernelId(k: ScalarKernel): number {
  let id = kernelIdOf.get(k);
  if (id === undefined) {
    id = nextKernelId++;
    kernelIdOf.set(k, id);
  }
  return id;
}

/**
 * One stable scalar kernel per dtype from a factory (compiled kernels are cached by kernel
 * identity, so a factory that builds a new closure on each call must be memoised).
 */
export function kernelPerDType(factory: (dtype: DType) => ScalarKernel): (dtype: DType) => ScalarKernel {
  const kernels = new Map<DType, ScalarKernel>();
  return (dtype) => {
    let k = kernels.get(dtype);
    if (!k) kernels.set(dtype, (k = factory(dtype)));
    return k;
  };
}

/** A fused program ready to run: compiled code for flat and strided layouts. */
export interface FusedKernel {
  /**
   * Run over `inputs` (each of `shape`, any strides). `buffers`, when given, are the output
   * arrays to fill (one per output, of the right dtype and size): jit reuses them across calls
   * for intermediates that never escape.
   */
  run(inputs: readonly ConcreteTensor[], shape: readonly number[], outDtypes: readonly DType[], weakTypes?: readonly boolean[], buffers?: readonly TypedArray[]): ConcreteTensor[];
  /**
   * Whether a run over these inputs may write an output into the storage of an input it reads
   * at the same positions (contiguous, from its first element): true when the program runs as
   * its own Wasm function, which reads every input of a group of lanes before it stores any
   * output. The building blocks and the JavaScript loops may store an output before a later
   * operation reads the same position of an input, so they must not.
   */
  writesInPlace(inputs: readonly ConcreteTensor[], shape: readonly number[]): boolean;
}

interface CompiledProgram {
  readonly program: FusedProgram;
  readonly kernels: ScalarKernel[];
  /** Flat loops by which inputs are broadcast scalars (a bitmask over the inputs). */
  readonly flat: Map<number, Compiled>;
  /** Strided loops by rank, loop order and scalar inputs (key `"rank:order:scalarMask"`). */
  readonly byRank: Map<string, Compiled>;
  /** The program for the WebAssembly SIMD backend, when every operation has a lowering there. */
  readonly simd: SimdProgram | null;
}

const NO_STRIDES: readonly (readonly number[])[] = [];

/**
 * Inputs a program may have for its broadcast scalars to be tracked in a 31-bit mask (beyond
 * it, every broadcast input is gathered into a full array first); jit's fusion keeps its
 * programs within it (`compile/fuse.ts`).
 */
export const MAX_MASKED_INPUTS = 30;

/**
 * A program with a SIMD lowering runs in WebAssembly from `SIMD_MIN_SIZE` elements, or from
 * `SIMD_MIN_WORK` element-operations. Measured on the 2-core machine against the JavaScript
 * loops (one thread; the WebAssembly path pays ~1 µs to copy operands in and out): one
 * operation breaks even at ~700 elements (0.85x at 1024, 0.44x at 16384), four at ~500, sixteen
 * at ~70 (0.69x at 128, 0.22x at 1024, 0.16x at 16384).
 */
export const SIMD_MIN_SIZE = 1024;
/** See {@link SIMD_MIN_SIZE}. */
export const SIMD_MIN_WORK = 2048;

function simdProgramOf(program: FusedProgram): SimdProgram | null {
  if (!program.ops.every((o) => o.simd !== undefined)) return null;
  const simd: SimdProgram = { inputs: program.inputs, steps: program.ops.map((o) => ({ op: o.simd!, args: o.args, dtype: o.dtype })), outputs: program.outputs };
  return simdRunnable(simd) ? simd : null;
}

function compileProgram(program: FusedProgram): CompiledProgram {
  return { program, kernels: program.ops.map((o) => o.kernel), flat: new Map(), byRank: new Map(), simd: simdProgramOf(program) };
}

/** A rank-1 or rank-2 operand as the SIMD backend gathers it: rows of `cols` elements, any strides (0 for broadcast). */
function matrixOperand(x: ConcreteTensor, shape: readonly number[]): SimdOperand {
  const [rows, cols, rowStride, colStride] = shape.length === 2 ? [shape[0]!, shape[1]!, x.stride[0]!, x.stride[1]!] : [1, shape[0] ?? 1, 0, x.stride[0] ?? 0];
  // Rows that are contiguous and follow each other (a block of rows of a larger array: the
  // slices a concatenation's gradient takes) are one stream, read in place when resident.
  if ((colStride === 1 || cols === 1) && (rowStride === cols || rows === 1)) return { data: x.data, offset: x.offset };
  return { data: x.data, offset: x.offset, rows, cols, rowStride, colStride };
}

function runCompiled(
  c: CompiledProgram,
  inputs: readonly ConcreteTensor[],
  shape: readonly number[],
  outDtypes: readonly DType[],
  weakTypes?: readonly boolean[],
  buffers?: readonly TypedArray[],
): ConcreteTensor[] {
  let size = 1;
  for (const n of shape) size *= n;
  // Every program writes every element of its outputs: they need no zeroing.
  const outs = buffers ? (buffers as TypedArray[]) : outDtypes.map((d) => allocateUninitialized(d, size));
  if (size > 0) {
    const { scalars, allFlat, simd } = simdPlan(c, inputs, shape, size);
    if (simd && runSimd(c.simd!, allFlat ? inputs : inputs.map((x) => matrixOperand(x, shape)), scalars, size, outs)) {
      // Done in WebAssembly, bit for bit what the loops below compute.
      return wrapOutputs(outs, shape, outDtypes, weakTypes);
    }
    const n = inputs.length;
    const data = new Array<TypedArray>(n);
    const offsets = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      data[i] = inputs[i]!.data;
      offsets[i] = inputs[i]!.offset;
    }
    if (allFlat) {
      let fn = c.flat.get(scalars);
      if (!fn) c.flat.set(scalars, (fn = generateFlat(c.program, scalars)));
      fn(c.kernels, data, NO_STRIDES, offsets, [size], outs);
    } else {
      const rank = shape.length;
      const order = loopOrder(shape);
      const key = `${rank}:${order.join(",")}:${scalars}`;
      let fn = c.byRank.get(key);
      if (!fn) c.byRank.set(key, (fn = generate(c.program, rank, order, scalars)));
      fn(c.kernels, data, inputs.map((x) => x.stride), offsets, shape, outs, contiguousStrides(shape));
    }
  }
  return wrapOutputs(outs, shape, outDtypes, weakTypes);
}

/** The output tensors over the filled buffers. */
function wrapOutputs(outs: readonly TypedArray[], shape: readonly number[], outDtypes: readonly DType[], weakTypes?: readonly boolean[]): ConcreteTensor[] {
  const result = new Array<ConcreteTensor>(outs.length);
  for (let q = 0; q < outs.length; q++) result[q] = ConcreteTensor.fromData(outs[q]!, shape, outDtypes[q]!, weakTypes?.[q] ?? false);
  return result;
}

/** Whether every stride is 0 (a value broadcast along every axis). */
function broadcastScalar(stride: readonly number[]): boolean {
  for (let d = 0; d < stride.length; d++) if (stride[d] !== 0) return false;
  return true;
}

/**
 * How a run over `inputs` goes: which inputs are broadcast along every axis (a bitmask;
 * programs with more inputs than it holds run the general loop without it), whether every
 * input is contiguous or such a scalar, and whether the program runs in WebAssembly.
 */
function simdPlan(c: CompiledProgram, inputs: readonly ConcreteTensor[], shape: readonly number[], size: number): { scalars: number; allFlat: boolean; simd: boolean } {
  const masked = inputs.length <= MAX_MASKED_INPUTS;
  let scalars = 0;
  let allFlat = masked;
  if (masked) {
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      if (broadcastScalar(x.stride)) scalars |= 1 << i;
      else if (!x.isContiguous) allFlat = false;
    }
  }
  const simd = c.simd !== null && (size >= SIMD_MIN_SIZE || size * c.program.ops.length >= SIMD_MIN_WORK) && (allFlat || shape.length <= 2);
  return { scalars, allFlat, simd };
}

/** See {@link FusedKernel.writesInPlace}. */
function writesInPlace(c: CompiledProgram, inputs: readonly ConcreteTensor[], shape: readonly number[]): boolean {
  let size = 1;
  for (const n of shape) size *= n;
  if (size === 0) return false;
  const { scalars, simd } = simdPlan(c, inputs, shape, size);
  return simd && runsAsOwnFunction(c.simd!, scalars);
}

/**
 * Compile (or fetch from the cache) the kernel of a fused program.
 *
 * @example
 * const mul = (a: number, b: number) => a * b;
 * const inc = (a: number) => a + 1;
 * const kernel = fusedKernel({
 *   inputs: ["float32", "float32"],
 *   ops: [{ kernel: mul, args: [0, 1], dtype: "float32" }, { kernel: inc, args: [2], dtype: "float32" }],
 *   outputs: [3],
 * });
 * const [y] = kernel.run([a.concrete(), b.concrete()], a.shape, ["float32"]); // a * b + 1
 */
export function fusedKernel(program: FusedProgram): FusedKernel {
  const key = programKey(program, program.ops.map((o) => kernelId(o.kernel)));
  let c = cache.get(key);
  if (!c) cache.set(key, (c = compileProgram(program)));
  const compiled = c;
  return {
    run: (inputs, shape, outDtypes, weakTypes, buffers) => runCompiled(compiled, inputs, shape, outDtypes, weakTypes, buffers),
    writesInPlace: (inputs, shape) => writesInPlace(compiled, inputs, shape),
  };
}

/** One-op programs of the eager path, by kernel and operand/output dtypes. */
const single = new WeakMap<ScalarKernel, Map<string, CompiledProgram>>();

/**
 * Run one elementwise scalar kernel over same-shape operands (the eager path of elementwise
 * primitives); `simd` is the primitive's SIMD lowering for these operands, if any (see
 * `Primitive.simdLowering`), so large eager operations run in WebAssembly as jit's do.
 */
export function elementwise(kernel: ScalarKernel, inputs: readonly ConcreteTensor[], outDtype: DType, weakType: boolean, simd?: SimdOp): ConcreteTensor {
  let byTypes = single.get(kernel);
  if (!byTypes) single.set(kernel, (byTypes = new Map()));
  let key = `${outDtype}:${simd ?? ""}:`;
  for (let i = 0; i < inputs.length; i++) key += inputs[i]!.dtype;
  let c = byTypes.get(key);
  if (!c) {
    const program: FusedProgram = {
      inputs: inputs.map((x) => x.dtype),
      ops: [{ kernel, args: inputs.map((_, i) => i), dtype: outDtype, ...(simd ? { simd } : {}) }],
      outputs: [inputs.length],
    };
    byTypes.set(key, (c = compileProgram(program)));
  }
  return runCompiled(c, inputs, inputs[0]!.shape, [outDtype], [weakType])[0]!;
}
