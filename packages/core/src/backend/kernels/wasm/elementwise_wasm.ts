import type { DType, TypedArray } from "../../../dtype.js";
import { addKernelModule, kernelId, kernelRuntime, registerKernelModule } from "../../threads/kernel_memory.js";
import { heapBuffer, scratchArea } from "../../threads/kernel_heap.js";
import { ownsResidentBlock, residentAddress } from "../../resident_storage.js";
import { availableThreads, Job, runJob, splitJob } from "../../threads/pool.js";
import { MAX_CALLS, RECORD } from "../../threads/worker_source.js";
import { ELEMENTWISE_EXPORTS, elementwiseModuleBytes, SIMD_ARITY, SIMD_UNROLL, type SimdOp } from "./elementwise_kernels.js";
import { fusedProgramModuleBytes } from "./fused_program_kernel.js";
import { copyIn, copyOut, copyOutput, fillSpanCall, filledPerChunk, residentHome, stageRows, viewsOf, writeScalar, type SimdOperand } from "./simd_operands.js";

export type { SimdOperand } from "./simd_operands.js";

/**
 * Fused elementwise programs over float32, int32 and bool run in WebAssembly SIMD (the operations of
 * `elementwise_kernels.ts`), split across the worker pool's threads.
 *
 * The operands are copied into the kernel memory, the program runs tile by tile (a tile is
 * {@link TILE} elements: every intermediate of a tile stays in the first-level cache, and one
 * pass over the data does the whole program), and the outputs are copied out. Each thread
 * takes whole tiles, and an element's value does not depend on which thread or tile computes
 * it, so results are the same bit for bit at every thread count, and the same as the
 * generated JavaScript loops (see `elementwise_kernels.ts`).
 */

registerKernelModule("elementwise", elementwiseModuleBytes, ELEMENTWISE_EXPORTS);

/** Elements per tile: one float32 register of a tile is 4 KiB. */
const TILE = 1024;

/** One operation of a SIMD program: `op` over registers `args`, result in the next register. */
export interface SimdStep {
  readonly op: SimdOp;
  readonly args: readonly number[];
  readonly dtype: DType;
}

/** A fused program as the SIMD backend runs it (registers as in `fusion.ts`'s `FusedProgram`). */
export interface SimdProgram {
  readonly inputs: readonly DType[];
  readonly steps: readonly SimdStep[];
  readonly outputs: readonly number[];
}

/** Which dtypes each operation takes and gives (registers hold float32 or int32 values, or bool masks). */
function typesOk(step: SimdStep, types: readonly DType[]): boolean {
  const [x, y, z] = step.args.map((a) => types[a]);
  switch (step.op) {
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge":
      return x === "float32" && y === "float32" && step.dtype === "bool";
    case "eq_i32":
    case "ne_i32":
    case "lt_i32":
    case "le_i32":
    case "gt_i32":
    case "ge_i32":
      return x === "int32" && y === "int32" && step.dtype === "bool";
    case "and":
    case "or":
    case "xor":
      return x === "bool" && y === "bool" && step.dtype === "bool";
    case "not":
      return x === "bool" && step.dtype === "bool";
    case "copy":
      return x === step.dtype;
    case "bool_to_f32":
      return x === "bool" && step.dtype === "float32";
    case "f32_to_bool":
      return x === "float32" && step.dtype === "bool";
    case "select":
      return x === "bool" && y === step.dtype && z === step.dtype;
    default:
      return step.args.every((a) => types[a] === "float32") && step.dtype === "float32";
  }
}

/** The dtypes a register of a SIMD program may hold (int32: only as compared, copied or selected; see `typesOk`). */
const SIMD_DTYPES: ReadonlySet<DType> = new Set<DType>(["float32", "int32", "bool"]);

/**
 * Whether the SIMD backend can run this program: float32, int32 and bool registers only, and
 * every operation's operand types what its kernel takes.
 * Example: `simdRunnable({ inputs: ["float32"], steps: [{ op: "neg", args: [0], dtype: "float32" }], outputs: [1] })` is `true`.
 */
export function simdRunnable(program: SimdProgram): boolean {
  const types: DType[] = [...program.inputs];
  if (program.inputs.some((t) => !SIMD_DTYPES.has(t))) return false;
  for (const step of program.steps) {
    if (step.args.length !== SIMD_ARITY[step.op] || !typesOk(step, types)) return false;
    types.push(step.dtype);
  }
  return true;
}

/** Whether the SIMD kernels exist in this engine (WebAssembly SIMD128). */
export function wasmElementwiseAvailable(): boolean {
  return kernelRuntime() !== null;
}

/**
 * A program laid out for one size and input pattern: addresses and the jobs that run it.
 * Addresses are relative to a *region*: region 0 is the scratch area (scalar cells, copies of
 * the operands, slots); region `1 + m` is input `m`'s elements and region `1 + inputs + q`
 * output `q`'s, which are the copies in the scratch area or, for resident arrays
 * (`resident_storage.ts`), the arrays themselves. The jobs' address arguments are rewritten
 * when the regions' bases change ({@link Layout.patches}).
 */
interface Layout {
  /** Byte offset in the scratch area of each input's copy (its scalar cell when broadcast). */
  inAt: number[];
  /** Byte offset in the scratch area of each output's copy. */
  outAt: number[];
  /** Bytes of scratch the layout needs. */
  bytes: number;
  /** The jobs that run it, in order (one unless the program has more calls than a job holds). */
  jobs: Job[];
  /** Per job, the address arguments as triples: index in the job's records, region, offset in the region. */
  patches: Int32Array[];
  /** The region bases the jobs' records hold now. */
  applied: Int32Array;
  /** The region bases of the call being made (filled by each call, compared with `applied`). */
  bases: Int32Array;
}

/** An address argument of a kernel call: an offset in a region (see {@link Layout}). */
interface Addr {
  region: number;
  rel: number;
}

const layouts = new WeakMap<SimdProgram, Map<string, Layout>>();

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;
/** Elements a kernel call covers at once (it rounds its count up to this). */
const GROUP = 4 * SIMD_UNROLL;
/** Bytes after each array that a rounded-up last group may read or write. */
const SLACK = 4 * GROUP;
const bytesOf = (dtype: DType) => (dtype === "bool" ? 1 : 4);

/** Where a register lives during a tile: a stream (an input or output array, advancing with the tile) or a scratch slot. */
type Home = { kind: "stream"; region: number; step: number } | { kind: "slot"; slot: number };

function layout(program: SimdProgram, scalars: number, size: number, chunks: number): Layout {
  const nIn = program.inputs.length;
  const isScalar = (m: number) => m < nIn && (scalars & (1 << m)) !== 0;
  const types = [...program.inputs, ...program.steps.map((s) => s.dtype)];
  // Addresses: scalar cells, then the inputs and outputs (each padded so a tile's last vector
  // may run past the end), then each chunk's scratch slots.
  let at = 16 * nIn;
  const inAt = program.inputs.map((t, m) => {
    if (isScalar(m)) return 16 * m;
    const a = at;
    at += align16(size * bytesOf(t)) + SLACK;
    return a;
  });
  const outAt = program.outputs.map((r) => {
    const a = at;
    at += align16(size * bytesOf(types[r]!)) + SLACK;
    return a;
  });

  // Homes: float32 outputs are written in place; everything else gets a slot, freed after its
  // last reader (an operation may write the slot of an operand it reads last: kernels read a
  // vector's operands before storing it).
  const homes = new Map<number, Home>();
  program.outputs.forEach((r, q) => {
    if (r >= nIn && types[r] === "float32" && !homes.has(r)) homes.set(r, { kind: "stream", region: 1 + nIn + q, step: 4 });
  });
  const lastUse = new Map<number, number>();
  program.steps.forEach((s, k) => s.args.forEach((a) => lastUse.set(a, k)));
  program.outputs.forEach((r) => lastUse.set(r, program.steps.length));
  const free: number[] = [];
  let slots = 0;
  const take = () => free.pop() ?? slots++;
  const release = (r: number, k: number) => {
    const h = homes.get(r);
    if (h?.kind === "slot" && lastUse.get(r) === k && !isScalar(r)) free.push(h.slot);
  };
  for (let m = 0; m < nIn; m++) {
    if (isScalar(m) || types[m] === "bool") homes.set(m, { kind: "slot", slot: take() });
    else homes.set(m, { kind: "stream", region: 1 + m, step: 4 });
  }
  program.steps.forEach((s, k) => {
    for (const a of new Set(s.args)) release(a, k);
    const r = nIn + k;
    if (!homes.has(r)) homes.set(r, { kind: "slot", slot: take() });
  });
  // Each chunk's slots start on their own 64 KiB boundary, plus 8 KiB more per chunk: with the
  // chunks' slots packed side by side, two threads ran a 16-operation program over 262,144
  // floats in 0.77 ms against 0.54 ms on one; spaced like this, in 0.38-0.43 ms.
  const scratchAt = Math.ceil(at / 65536) * 65536;
  const chunkBytes = Math.ceil((slots * TILE * 4) / 65536) * 65536 + 65536 + 8192;

  const ids = Object.fromEntries(ELEMENTWISE_EXPORTS.map((name) => [name, kernelId("elementwise", name)])) as Record<string, number>;
  const boolInputs = program.inputs.flatMap((t, m) => (t === "bool" && !isScalar(m) ? [m] : []));
  const copies = program.outputs.flatMap((r, q) => {
    const h = homes.get(r)!;
    return h.kind === "stream" && h.region === 1 + nIn + q ? [] : [q];
  });
  const tiles = Math.ceil(size / TILE);
  // Jobs of at most `perJob` tiles (a job holds MAX_CALLS calls), each split into `chunks`.
  const perJob = Math.max(1, Math.floor((MAX_CALLS - chunks * nIn) / callsPerTile(program)));
  const jobs: Job[] = [];
  const patches: Int32Array[] = [];
  for (let j0 = 0; j0 < tiles; j0 += perJob) {
    const j1 = Math.min(tiles, j0 + perJob);
    const job = new Job();
    const triples: number[] = [];
    // A call whose address arguments are recorded as offsets (every region's base is 0 until
    // the first run patches them).
    const emit = (id: number, ...args: (number | Addr)[]) => {
      const first = job.words + 1;
      job.call(
        id,
        ...args.map((x, i) => {
          if (typeof x === "number") return x;
          triples.push(first + i, x.region, x.rel);
          return x.rel;
        }),
      );
    };
    for (let c = 0; c < chunks; c++) {
      const t0 = j0 + Math.floor(((j1 - j0) * c) / chunks);
      const t1 = j0 + Math.floor(((j1 - j0) * (c + 1)) / chunks);
      if (t1 === t0) continue;
      job.chunk();
      const scratch = scratchAt + c * chunkBytes;
      const addr = (r: number, e: number): Addr => {
        const h = homes.get(r)!;
        return h.kind === "stream" ? { region: h.region, rel: e * h.step } : { region: 0, rel: scratch + h.slot * TILE * 4 };
      };
      for (let m = 0; m < nIn; m++) if (isScalar(m)) emit(ids["splat"]!, addr(m, 0), { region: 0, rel: inAt[m]! }, TILE / 4);
      for (let t = t0; t < t1; t++) {
        const e = t * TILE;
        const vectors = Math.ceil(Math.min(TILE, size - e) / GROUP) * SIMD_UNROLL;
        for (const m of boolInputs) emit(ids["load_bool"]!, addr(m, e), { region: 1 + m, rel: e }, vectors);
        program.steps.forEach((s, k) => {
          const a = s.args.map((r) => addr(r, e));
          emit(ids[s.op]!, addr(nIn + k, e), a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, vectors);
        });
        for (const q of copies) {
          const r = program.outputs[q]!;
          if (types[r] === "bool") emit(ids["store_bool"]!, { region: 1 + nIn + q, rel: e }, addr(r, e), vectors);
          else emit(ids["copy"]!, { region: 1 + nIn + q, rel: e * 4 }, addr(r, e), 0, 0, vectors);
        }
      }
    }
    jobs.push(job);
    patches.push(Int32Array.from(triples));
  }
  return { inAt, outAt, bytes: scratchAt + chunks * chunkBytes, jobs, patches, applied: new Int32Array(1 + nIn + program.outputs.length), bases: new Int32Array(1 + nIn + program.outputs.length) };
}

/** Calls per tile of a program (an upper bound). */
function callsPerTile(program: SimdProgram): number {
  return program.inputs.length + program.steps.length + program.outputs.length;
}

/**
 * Elements from which a program is split across threads (into four chunks per thread, so that
 * the calling thread takes over the chunks of a worker that wakes late). Measured on the 2-core
 * machine, the jitted LeNet-300-100 MNIST step (`benchmarks/mnist_sparse_profile.ts 1 600`, two
 * alternating pairs): 3.79 and 4.75 ms/step splitting from here, 4.42 and 5.10 ms not splitting
 * at all. Alone, a program gains only when large: 2 threads took 0.94x the time of 1 for 16
 * operations over 262,144 floats, but 1.1-1.8x for smaller or 2-operation programs, where
 * waking the sleeping worker costs more than it saves.
 */
export const SIMD_PARALLEL_MIN = 1 << 15;

/**
 * Elements from which a program compiled to its own function ({@link runFused}) is split across
 * threads. Lower than {@link SIMD_PARALLEL_MIN}: a split call reuses its cached job and layout
 * (no per-call arrays or closures), and each chunk's thread lays out its part of an operand
 * broadcast along rows. The programs of 16,384 to 32,767 elements in the training steps read
 * arrays that split products wrote (a layer's bias and ReLU after its product, gradient sums);
 * splitting them from here against from {@link SIMD_PARALLEL_MIN}: the jitted LeNet-300-100 step
 * took 0.993x, 0.988x and 0.992x the time on 2 threads, the DenseMLP(1, 2, 128, 4) step 0.985x,
 * 0.983x and 0.968x (`benchmarks/mnist_sparse_steps.ts` with a temporary switch, 20 ABBA pairs
 * in one process, paired medians; 2-core AMD EPYC, 2026-12-06 20:27-20:45 UTC).
 */
export const FUSED_PARALLEL_MIN = 1 << 14;

/**
 * Runs `program` over `size` elements: `inputs[m]` contiguous from its offset, gathered by its
 * rows and strides, or (bit `m` of `scalars` set) one value broadcast; fills `outs` (one typed array per output, of the output's
 * dtype). Returns `false`, leaving `outs` untouched, when this engine has no WebAssembly SIMD
 * or the program has more operations than a job holds.
 * Example: `runSimd(program, [{ data: a, offset: 0 }], 0, a.length, [out])`.
 */
export function runSimd(program: SimdProgram, inputs: readonly SimdOperand[], scalars: number, size: number, outs: readonly TypedArray[]): boolean {
  const rt = kernelRuntime();
  if (rt === null || size === 0) return false;
  const fused = fusedKernel(program, scalars);
  if (fused !== null) {
    runFused(fused, program, inputs, scalars, size, outs);
    return true;
  }
  if (callsPerTile(program) + program.inputs.length > MAX_CALLS) return false;
  const tiles = Math.ceil(size / TILE);
  const threads = size >= SIMD_PARALLEL_MIN ? availableThreads() : 1;
  const chunks = Math.min(threads > 1 ? 4 * threads : 1, tiles);
  let byKey = layouts.get(program);
  if (!byKey) layouts.set(program, (byKey = new Map()));
  const key = `${scalars}:${size}:${chunks}`;
  let plan = byKey.get(key);
  if (!plan) byKey.set(key, (plan = layout(program, scalars, size, chunks)));
  const base = scratchArea(plan.bytes);
  const v = viewsOf(heapBuffer());
  const nIn = program.inputs.length;
  const bases = plan.bases;
  bases[0] = base;
  inputs.forEach((x, m) => {
    const at = base + plan.inAt[m]!;
    const dtype = program.inputs[m]!;
    bases[1 + m] = at;
    if ((scalars & (1 << m)) !== 0) return writeScalar(x, dtype, v, at);
    const home = residentHome(x);
    if (home >= 0) bases[1 + m] = home;
    else copyIn(x, dtype, size, v, at);
  });
  // Outputs that own a block of the kernel memory are written in place (their slack takes a
  // rounded-up last group); others are copied out of the scratch area.
  const inPlace = outs.map((o) => ownsResidentBlock(o));
  outs.forEach((o, q) => (bases[1 + nIn + q] = inPlace[q] ? residentAddress(o) : base + plan.outAt[q]!));
  let changed = false;
  for (let i = 0; i < bases.length && !changed; i++) changed = bases[i] !== plan.applied[i];
  if (changed) {
    plan.jobs.forEach((job, j) => {
      const p = plan.patches[j]!;
      const r = job.records;
      for (let i = 0; i < p.length; i += 3) r[p[i]!] = bases[p[i + 1]!]! + p[i + 2]!;
    });
    plan.applied.set(bases);
  }
  for (const job of plan.jobs) runJob(job);
  copyOut(outs, inPlace, size, v, (q) => base + plan.outAt[q]!);
  return true;
}

/**
 * Programs compiled to one function each (`fused_program_kernel.ts`) at most: each is a module
 * kept for the life of the process (in every worker too); later programs run on the building
 * blocks, tile by tile.
 */
export const MAX_FUSED_KERNELS = 2048;

/** Operations a program may have to get its own function (one local per register, four copies of the body). */
export const MAX_FUSED_STEPS = 1024;

let fusedEnabled = true;

/**
 * Whether programs get their own function (the default) or always run on the building blocks;
 * returns the previous setting. For tests and benchmarks that compare the two paths.
 * Example: `const saved = setFusedKernels(false); try { ... } finally { setFusedKernels(saved) }`.
 */
export function setFusedKernels(enabled: boolean): boolean {
  const previous = fusedEnabled;
  fusedEnabled = enabled;
  return previous;
}

/**
 * Whether {@link runSimd} runs `program` (with the inputs of `scalars` broadcast) as its own
 * function, compiling it now if needed: that function reads every input of a group of lanes
 * before it stores any output, so an output may share an input's storage at the same positions.
 * Example: `if (runsAsOwnFunction(program, 0)) outs[0] = inputArray`.
 */
export function runsAsOwnFunction(program: SimdProgram, scalars: number): boolean {
  return fusedKernel(program, scalars) !== null;
}

/** Each program's compiled function, per pattern of scalar inputs (`null`: none, use the building blocks). */
const fusedKernels = new WeakMap<SimdProgram, Map<number, number | null>>();
let fusedCount = 0;

/** The kernel id of `program`'s own function with the inputs of `scalars` broadcast, compiled on first use; `null` past {@link MAX_FUSED_KERNELS}. */
function fusedKernel(program: SimdProgram, scalars: number): number | null {
  if (!fusedEnabled || program.steps.length > MAX_FUSED_STEPS) return null;
  let byScalars = fusedKernels.get(program);
  if (byScalars === undefined) fusedKernels.set(program, (byScalars = new Map()));
  let id = byScalars.get(scalars);
  if (id === undefined) {
    id = null;
    if (fusedCount < MAX_FUSED_KERNELS) {
      const key = `fused-program-${fusedCount++}`;
      if (addKernelModule(key, (memory) => fusedProgramModuleBytes(program, scalars, memory), ["run"])) id = kernelId(key, "run");
    }
    byScalars.set(scalars, id);
  }
  return id;
}

/** Per input, its address in the kernel memory while a single call is being set up (see {@link runFusedOnce}). */
let onceHomes = new Int32Array(64);

/**
 * {@link runFused} as one call on the calling thread (programs under {@link FUSED_PARALLEL_MIN}
 * elements, or one thread): one pass over the operands writes the argument block, the scalar
 * cells and the copies of operands that are not in the kernel memory, then the call, then the
 * copies out; no arrays or closures are made. The 3.6 % MNIST step has ~25 such programs, most
 * over 1,000 to 30,000 elements.
 */
function runFusedOnce(id: number, program: SimdProgram, inputs: readonly SimdOperand[], scalars: number, size: number, outs: readonly TypedArray[]): void {
  const nIn = inputs.length;
  const nOut = outs.length;
  if (onceHomes.length < nIn) onceHomes = new Int32Array(2 * nIn);
  const homes = onceHomes;
  // Scratch: the argument block, the scalar cells, then the copies (each with room for a
  // rounded-up last group; a float32/int32 operand broadcast along its rows also stages its row
  // values after its copy).
  let bytes = align16((nIn + nOut) * 4) + 16 * nIn;
  for (let m = 0; m < nIn; m++) {
    const x = inputs[m]!;
    homes[m] = (scalars & (1 << m)) !== 0 ? -1 : residentHome(x);
    if ((scalars & (1 << m)) !== 0 || homes[m]! >= 0) continue;
    bytes += align16(size * bytesOf(program.inputs[m]!)) + SLACK;
    if (x.rows !== undefined && x.colStride === 0) bytes += align16(4 * x.rows);
  }
  for (let q = 0; q < nOut; q++) if (!ownsResidentBlock(outs[q]!)) bytes += align16(size * outs[q]!.BYTES_PER_ELEMENT) + SLACK;
  const base = scratchArea(bytes);
  const v = viewsOf(heapBuffer());
  const a = base >> 2;
  const cells = base + align16((nIn + nOut) * 4);
  let at = cells + 16 * nIn;
  for (let m = 0; m < nIn; m++) {
    const x = inputs[m]!;
    const dtype = program.inputs[m]!;
    if ((scalars & (1 << m)) !== 0) {
      writeScalar(x, dtype, v, cells + 16 * m);
      v.i32[a + m] = cells + 16 * m;
    } else if (homes[m]! >= 0) v.i32[a + m] = homes[m]!;
    else {
      const copy = at;
      at += align16(size * bytesOf(dtype)) + SLACK;
      let stage = -1;
      if (x.rows !== undefined && x.colStride === 0) {
        stage = at;
        at += align16(4 * x.rows);
      }
      copyIn(x, dtype, size, v, copy, stage);
      v.i32[a + m] = copy;
    }
  }
  const outsAt = at;
  for (let q = 0; q < nOut; q++) {
    const o = outs[q]!;
    if (ownsResidentBlock(o)) v.i32[a + nIn + q] = residentAddress(o);
    else {
      v.i32[a + nIn + q] = at;
      at += align16(size * o.BYTES_PER_ELEMENT) + SLACK;
    }
  }
  kernelRuntime()!.functions[id]!(base, Math.ceil(size / GROUP) * SIMD_UNROLL);
  at = outsAt;
  for (let q = 0; q < nOut; q++) {
    const o = outs[q]!;
    if (ownsResidentBlock(o)) continue;
    copyOutput(o, v, at, size);
    at += align16(size * o.BYTES_PER_ELEMENT) + SLACK;
  }
}

/**
 * How {@link runFused} splits a program over `size` elements with a given pattern of scalar,
 * resident, per-chunk-filled and in-place operands: the scratch layout (byte offsets from its
 * base; -1 where an operand needs none) and the job, whose address arguments each call
 * rewrites in place (`Job.records`), so a split call builds no arrays or closures.
 */
interface SplitPlan {
  bytes: number;
  copyAt: Int32Array;
  stageAt: Int32Array;
  outAt: Int32Array;
  /** Inputs filled by each chunk (`fill_span`), in call order within a chunk. */
  spans: number[];
  job: Job;
  /** First group of each chunk, and one past the last chunk's. */
  groupStart: Int32Array;
  /** Addresses of this call's inputs and outputs (scratch for the plan's calls). */
  start: Int32Array;
  outStart: Int32Array;
}

const splitPlans = new WeakMap<SimdProgram, Map<string, SplitPlan>>();

function splitPlan(id: number, program: SimdProgram, inputs: readonly SimdOperand[], scalars: number, size: number, outs: readonly TypedArray[], homes: Int32Array, chunks: number, threads: number): SplitPlan {
  const nIn = inputs.length;
  const nOut = outs.length;
  let key = `${scalars}:${size}:${chunks}:`;
  for (let m = 0; m < nIn; m++) {
    const x = inputs[m]!;
    // A row-broadcast operand's staged rows and its fill_span calls depend on its rows and columns.
    key += homes[m]! >= 0 ? "r" : x.rows !== undefined && x.colStride === 0 ? `b${x.rows}x${x.cols}` : "c";
  }
  for (let q = 0; q < nOut; q++) key += ownsResidentBlock(outs[q]!) ? "r" : "c";
  let byKey = splitPlans.get(program);
  if (!byKey) splitPlans.set(program, (byKey = new Map()));
  const found = byKey.get(key);
  if (found) return found;
  // Scratch: the chunks' argument blocks, scalar cells, then copies of inputs and outputs that
  // are not in the kernel memory (each with room for a rounded-up last group), then the row
  // values of operands broadcast along their rows.
  let bytes = align16(chunks * (nIn + nOut) * 4) + 16 * nIn;
  const copyAt = new Int32Array(nIn).fill(-1);
  const stageAt = new Int32Array(nIn).fill(-1);
  const outAt = new Int32Array(nOut).fill(-1);
  for (let m = 0; m < nIn; m++) {
    if ((scalars & (1 << m)) !== 0 || homes[m]! >= 0) continue;
    copyAt[m] = bytes;
    bytes += align16(size * bytesOf(program.inputs[m]!)) + SLACK;
  }
  for (let q = 0; q < nOut; q++) {
    if (ownsResidentBlock(outs[q]!)) continue;
    outAt[q] = bytes;
    bytes += align16(size * outs[q]!.BYTES_PER_ELEMENT) + SLACK;
  }
  const spans: number[] = [];
  for (let m = 0; m < nIn; m++) {
    const x = inputs[m]!;
    if (copyAt[m]! < 0 || x.rows === undefined || x.colStride !== 0) continue;
    stageAt[m] = bytes;
    bytes += align16(4 * x.rows);
    if (filledPerChunk(x, program.inputs[m]!)) spans.push(m);
  }
  const groupStart = new Int32Array(chunks + 1);
  let c = 0;
  const job = splitJob(Math.ceil(size / GROUP), threads, (job, g0, g1) => {
    groupStart[c++] = g0;
    groupStart[c] = g1;
    for (const m of spans) job.call(...fillSpanCall(inputs[m]!, 0, 0, 0, 0));
    job.call(id, 0, (g1 - g0) * SIMD_UNROLL);
  });
  if (c !== chunks) throw new Error(`runFused: ${c} chunks planned for ${chunks}`);
  const plan: SplitPlan = { bytes, copyAt, stageAt, outAt, spans, job, groupStart, start: new Int32Array(nIn), outStart: new Int32Array(nOut) };
  byKey.set(key, plan);
  return plan;
}

/** Per input, its address in the kernel memory when read in place, else -1 (see {@link runFused}). */
let fusedHomes = new Int32Array(64);

/**
 * Runs a program's own function over `size` elements (same contract as {@link runSimd}): inputs
 * in the kernel memory are read where they are, others copied (or gathered) into the scratch
 * area, scalars written to cells; outputs that own a block are written in place, others copied
 * out. Large programs are split into chunks of whole groups across threads, one call each (after
 * the `fill_span` calls that lay out the chunk's part of operands broadcast along rows), with
 * the chunk's argument block (see `fused_program_kernel.ts`) in the scratch area.
 */
function runFused(id: number, program: SimdProgram, inputs: readonly SimdOperand[], scalars: number, size: number, outs: readonly TypedArray[]): void {
  const nIn = program.inputs.length;
  const nOut = outs.length;
  const nArgs = nIn + nOut;
  const groups = Math.ceil(size / GROUP);
  const threads = size >= FUSED_PARALLEL_MIN ? availableThreads() : 1;
  const chunks = Math.min(threads > 1 ? 4 * threads : 1, groups);
  if (chunks === 1) return runFusedOnce(id, program, inputs, scalars, size, outs);
  if (fusedHomes.length < nIn) fusedHomes = new Int32Array(2 * nIn);
  const homes = fusedHomes;
  for (let m = 0; m < nIn; m++) homes[m] = (scalars & (1 << m)) !== 0 ? -1 : residentHome(inputs[m]!);
  const plan = splitPlan(id, program, inputs, scalars, size, outs, homes, chunks, threads);
  const base = scratchArea(plan.bytes);
  const v = viewsOf(heapBuffer());
  const cellAt = base + align16(chunks * nArgs * 4);
  const { start, outStart, copyAt, stageAt, outAt } = plan;
  for (let m = 0; m < nIn; m++) {
    const x = inputs[m]!;
    const dtype = program.inputs[m]!;
    if ((scalars & (1 << m)) !== 0) {
      writeScalar(x, dtype, v, cellAt + 16 * m);
      start[m] = cellAt + 16 * m;
    } else if (homes[m]! >= 0) start[m] = homes[m]!;
    else {
      start[m] = base + copyAt[m]!;
      if (filledPerChunk(x, dtype)) stageRows(x, dtype, v, base + stageAt[m]!);
      else copyIn(x, dtype, size, v, start[m]!, stageAt[m]! >= 0 ? base + stageAt[m]! : -1);
    }
  }
  for (let q = 0; q < nOut; q++) outStart[q] = outAt[q]! < 0 ? residentAddress(outs[q]!) : base + outAt[q]!;
  // Each chunk's argument block, and the addresses in its calls' records.
  const records = plan.job.records;
  const spans = plan.spans;
  const i32 = v.i32;
  for (let c = 0; c < chunks; c++) {
    const args = (base >> 2) + c * nArgs;
    const e0 = plan.groupStart[c]! * GROUP;
    for (let m = 0; m < nIn; m++) i32[args + m] = (scalars & (1 << m)) !== 0 ? start[m]! : start[m]! + e0 * bytesOf(program.inputs[m]!);
    for (let q = 0; q < nOut; q++) i32[args + nIn + q] = outStart[q]! + e0 * outs[q]!.BYTES_PER_ELEMENT;
    let r = plan.job.starts[c]! * RECORD;
    for (const m of spans) {
      // fill_span(dst, stage, cols, e0, e1)
      records[r + 1] = start[m]!;
      records[r + 2] = base + stageAt[m]!;
      records[r + 4] = e0;
      records[r + 5] = Math.min(plan.groupStart[c + 1]! * GROUP, size);
      r += RECORD;
    }
    records[r + 1] = args << 2;
  }
  runJob(plan.job);
  for (let q = 0; q < nOut; q++) if (outAt[q]! >= 0) copyOutput(outs[q]!, v, base + outAt[q]!, size);
}
