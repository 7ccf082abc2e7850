import type { TypedArray } from "../../../dtype.js";
import { addKernelModule, kernelId, kernelRuntime } from "../../threads/kernel_memory.js";
import { heapBuffer, scratchArea } from "../../threads/kernel_heap.js";
import { ownsResidentBlock, residentAddress } from "../../resident_storage.js";
import { availableThreads, Job, runJob, splitJob } from "../../threads/pool.js";
import { RECORD } from "../../threads/worker_source.js";
import { SIMD_UNROLL } from "./elementwise_kernels.js";
import type { SimdProgram } from "./elementwise_wasm.js";
import { fusedProgramModuleBytes } from "./fused_program_kernel.js";
import { align16, bytesOf, copyIn, copyOutput, fillSpanCall, filledPerChunk, GROUP, residentHome, SLACK, stageRows, viewsOf, writeScalar, type SimdOperand } from "./simd_operands.js";

/**
 * Fused elementwise programs run as a function of their own (`fused_program_kernel.ts`): the
 * registry of compiled programs, and the two ways `runSimd` (`elementwise_wasm.ts`) calls one:
 * as a single call on the calling thread ({@link runFusedOnce}), or split into chunks across the
 * pool's threads with a job and scratch layout cached per shape ({@link runFused}).
 */

/**
 * Elements from which a program compiled to its own function ({@link runFused}) is split across
 * threads. Lower than `SIMD_PARALLEL_MIN` (`elementwise_wasm.ts`, the building blocks' split):
 * a split call reuses its cached job and layout (no per-call arrays or closures), and each
 * chunk's thread lays out its part of an operand broadcast along rows. The programs of 16,384 to
 * 32,767 elements in the training steps read arrays that split products wrote (a layer's bias
 * and ReLU after its product, gradient sums); splitting them from here against from 32,768:
 * the jitted LeNet-300-100 step took 0.993x, 0.988x and 0.992x the time on 2 threads, the
 * DenseMLP(1, 2, 128, 4) step 0.985x, 0.983x and 0.968x (`benchmarks/mnist_sparse_steps.ts`
 * with a temporary switch, 20 ABBA pairs in one process, paired medians; 2-core AMD EPYC,
 * 2026-12-06 20:27-20:45 UTC).
 */
export const FUSED_PARALLEL_MIN = 1 << 14;

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
 * Whether `runSimd` runs `program` (with the inputs of `scalars` broadcast) as its own
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
export function fusedKernel(program: SimdProgram, scalars: number): number | null {
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
 * Runs a program's own function over `size` elements (same contract as `runSimd`): inputs
 * in the kernel memory are read where they are, others copied (or gathered) into the scratch
 * area, scalars written to cells; outputs that own a block are written in place, others copied
 * out. Large programs are split into chunks of whole groups across threads, one call each (after
 * the `fill_span` calls that lay out the chunk's part of operands broadcast along rows), with
 * the chunk's argument block (see `fused_program_kernel.ts`) in the scratch area.
 */
export function runFused(id: number, program: SimdProgram, inputs: readonly SimdOperand[], scalars: number, size: number, outs: readonly TypedArray[]): void {
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
