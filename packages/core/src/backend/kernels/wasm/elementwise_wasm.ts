import type { DType, TypedArray } from "../../../dtype.js";
import { kernelId, kernelRuntime, registerKernelModule } from "../../threads/kernel_memory.js";
import { heapBuffer, scratchArea } from "../../threads/kernel_heap.js";
import { ownsResidentBlock, residentAddress } from "../../resident_storage.js";
import { availableThreads, Job, runJob } from "../../threads/pool.js";
import { MAX_CALLS } from "../../threads/worker_source.js";
import { ELEMENTWISE_EXPORTS, elementwiseModuleBytes, SIMD_ARITY, SIMD_UNROLL, type SimdOp } from "./elementwise_kernels.js";
import { align16, bytesOf, copyIn, copyOut, GROUP, residentHome, SLACK, viewsOf, writeScalar, type SimdOperand } from "./simd_operands.js";
import { fusedKernel, runFused } from "./fused_program_run.js";

export type { SimdOperand } from "./simd_operands.js";
export { FUSED_PARALLEL_MIN, MAX_FUSED_KERNELS, MAX_FUSED_STEPS, runsAsOwnFunction, setFusedKernels } from "./fused_program_run.js";

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
