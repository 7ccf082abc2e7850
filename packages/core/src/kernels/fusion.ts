/**
 * Fused elementwise kernels, generated as JavaScript source and compiled once per program.
 *
 * A program is a small register machine over one element: load each input (through its
 * strides, so broadcast and transposed views are read in place), apply a chain of scalar
 * kernels, store the requested registers. Every generated function has its own call sites, so
 * V8 sees each scalar kernel monomorphically and inlines it. Eager elementwise primitives run
 * one-op programs; `jit` fuses whole chains of them into one loop.
 */
import { allocate, type DType, type TypedArray } from "../dtype.js";
import { ConcreteTensor } from "../tensor.js";

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

type Compiled = (K: readonly ScalarKernel[], data: readonly TypedArray[], strides: readonly (readonly number[])[], offsets: readonly number[], shape: readonly number[], outs: TypedArray[]) => void;

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
      return `((${expr}) ? 1 : 0)`;
  }
}

/** Makes every generated function's source unique (see the end of `generate`). */
let nextProgramTag = 0;

function generate(program: FusedProgram, rank: number): Compiled {
  const nIn = program.inputs.length;
  const lines: string[] = [];
  for (let m = 0; m < nIn; m++) {
    lines.push(`const d${m} = data[${m}]; let p${m} = offsets[${m}];`);
    for (let d = 0; d < rank; d++) lines.push(`const s${m}_${d} = strides[${m}][${d}];`);
  }
  program.outputs.forEach((_, q) => lines.push(`const o${q} = outs[${q}];`));
  program.ops.forEach((_op, k) => lines.push(`const K${k} = K[${k}];`));
  for (let d = 0; d < rank; d++) lines.push(`const n${d} = shape[${d}];`);
  lines.push(`let oi = 0;`);
  const body: string[] = [];
  program.inputs.forEach((dt, m) => body.push(`const r${m} = ${dt === "float32" ? `Math.fround(d${m}[p${m}])` : `d${m}[p${m}]`};`));
  program.ops.forEach((op, k) => body.push(`const r${nIn + k} = ${cast(`K${k}(${op.args.map((a) => `r${a}`).join(", ")})`, op.dtype)};`));
  program.outputs.forEach((reg, q) => body.push(`o${q}[oi] = r${reg};`));
  body.push(`oi++;`);
  const nest = (d: number): string[] => {
    if (d === rank) return body;
    const inner = nest(d + 1);
    const save = Array.from({ length: nIn }, (_, m) => `const q${m}_${d} = p${m};`).join(" ");
    const step = Array.from({ length: nIn }, (_, m) => `p${m} += s${m}_${d};`).join(" ");
    const restore = Array.from({ length: nIn }, (_, m) => `p${m} = q${m}_${d};`).join(" ");
    // Inner dimensions restore the pointers, then the loop steps them along this dimension.
    return [`for (let i${d} = 0; i${d} < n${d}; i${d}++) {`, ...(d < rank - 1 ? [save] : []), ...inner, ...(d < rank - 1 ? [restore] : []), step, `}`];
  };
  lines.push(...nest(0));
  // V8 caches `new Function` by source text, and functions from a cache hit share their type
  // feedback. Programs that differ only in their kernels generate the same text (kernels come
  // in through `K`), so without a unique tag the `K0(...)` call sites of every add, multiply
  // and shift program would share feedback, turn megamorphic and stop being inlined (measured:
  // a jitted x + 1 over 500 floats went from 3.1 to 7.1 µs once random.uniform had run).
  lines.push(`// fused program #${nextProgramTag++}`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function("K", "data", "strides", "offsets", "shape", "outs", lines.join("\n")) as Compiled;
}

const cache = new Map<string, CompiledProgram>();

function programKey(program: FusedProgram, kernelIds: number[]): string {
  return `${program.inputs.join(",")}|${program.ops.map((o, k) => `${kernelIds[k]}:${o.args.join(".")}:${o.dtype}`).join(";")}|${program.outputs.join(",")}`;
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
}

interface CompiledProgram {
  readonly program: FusedProgram;
  readonly kernels: ScalarKernel[];
  readonly flat: Compiled;
  readonly byRank: Map<number, Compiled>;
}

/** Whether a view can be read with one flat index: contiguous, or a broadcast scalar. */
function flatStride(x: ConcreteTensor): number | null {
  if (x.isContiguous) return 1;
  const st = x.stride;
  for (let i = 0; i < st.length; i++) if (st[i] !== 0) return null;
  return 0;
}

function compileProgram(program: FusedProgram): CompiledProgram {
  return { program, kernels: program.ops.map((o) => o.kernel), flat: generate(program, 1), byRank: new Map() };
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
  const outs = buffers ? (buffers as TypedArray[]) : outDtypes.map((d) => allocate(d, size));
  if (size > 0) {
    const n = inputs.length;
    const data = new Array<TypedArray>(n);
    const offsets = new Array<number>(n);
    const flat = new Array<number[]>(n);
    let allFlat = true;
    for (let i = 0; i < n; i++) {
      const x = inputs[i]!;
      data[i] = x.nd.data;
      offsets[i] = x.nd.offset;
      const s = allFlat ? flatStride(x) : null;
      if (s === null) allFlat = false;
      else flat[i] = [s];
    }
    if (allFlat) {
      c.flat(c.kernels, data, flat, offsets, [size], outs);
    } else {
      const rank = shape.length;
      let fn = c.byRank.get(rank);
      if (!fn) c.byRank.set(rank, (fn = generate(c.program, rank)));
      fn(c.kernels, data, inputs.map((x) => x.stride), offsets, shape, outs);
    }
  }
  return outs.map((o, q) => ConcreteTensor.fromData(o, shape, outDtypes[q]!, weakTypes?.[q] ?? false));
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
  return { run: (inputs, shape, outDtypes, weakTypes, buffers) => runCompiled(compiled, inputs, shape, outDtypes, weakTypes, buffers) };
}

/** One-op programs of the eager path, by kernel and operand/output dtypes. */
const single = new WeakMap<ScalarKernel, Map<string, CompiledProgram>>();

/** Run one elementwise scalar kernel over same-shape operands (the eager path of elementwise primitives). */
export function elementwise(kernel: ScalarKernel, inputs: readonly ConcreteTensor[], outDtype: DType, weakType: boolean): ConcreteTensor {
  let byTypes = single.get(kernel);
  if (!byTypes) single.set(kernel, (byTypes = new Map()));
  let key: string = outDtype;
  for (let i = 0; i < inputs.length; i++) key += inputs[i]!.dtype;
  let c = byTypes.get(key);
  if (!c) {
    const program: FusedProgram = {
      inputs: inputs.map((x) => x.dtype),
      ops: [{ kernel, args: inputs.map((_, i) => i), dtype: outDtype }],
      outputs: [inputs.length],
    };
    byTypes.set(key, (c = compileProgram(program)));
  }
  return runCompiled(c, inputs, inputs[0]!.shape, [outDtype], [weakType])[0]!;
}
