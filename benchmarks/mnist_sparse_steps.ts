/**
 * Profiling aid (issue 15): where one jitted Adam step's time goes, step by step of the
 * compiled program (fused loops and single equations), measured inside the compiled executable.
 * The step is the LeNet-300-100 MNIST step `mnist.bench.ts` times, on the network pruned to
 * `keep` of its edges (1: dense), or with `densemlp` the DenseMLP(1, 2, 128, 4) step of the
 * `dense` and `threads` suites (`densemlp-pruned`: pruned as in the `pruned` suite). The inputs are first copied into the kernel memory, where a
 * donating training loop has them after its first step.
 *
 *   cd benchmarks && node --import tsx mnist_sparse_steps.ts [keep=0.036 | densemlp | densemlp-pruned] [repeats=500]
 *
 * With `THREADS_AB=n`, blocks run on 1 thread and on `n` in one process (ABBA order), and each
 * step's time is printed for both with their ratio; `TOGGLE=name` compares `globalThis[name]`
 * false and true the same way (for a temporary switch in the code under test). `DEPS=a-b` prints
 * steps a to b with the step that wrote each operand. `COMPILE_TOGGLE=name` compares two
 * executables compiled with `globalThis[name]` false and true (a switch read while compiling,
 * such as how equations are fused), by their calls' totals only. `SPINNER=load|int` with
 * `TOGGLE=SPIN` runs the step with a second thread of the process busy or asleep. `ISOLATE=k`
 * times step k alone (see below), with `THREADS_AB=n` in alternating blocks on 1 and n threads.
 */
import { allPrimitives, nn, np, random, tree, filter, isInexactArray, type Tensor, type ConcreteTensor } from "@connex/core";
import { compile, type Atom } from "@connex/core/internal";
import { filterJit } from "@connex/autodiff";
import { recycle } from "../packages/core/src/backend/buffers.js";
import { setResidentPolicy } from "../packages/core/src/backend/resident_storage.js";
import { setNumThreads } from "../packages/core/src/backend/threads/config.js";
import { waitForThreads } from "../packages/core/src/backend/threads/pool.js";
import * as cnx from "connex";
import { loadMnist } from "../examples/mnist/load_mnist.js";
import { LENET_300_100, layeredNetwork } from "../examples/mnist/networks.js";
import { initState, trainStep } from "../examples/mnist/training.js";
import { adamTrainingStep, denseNetwork, sineCosineData } from "./lib/workloads.js";
import { pruneSmallWeights } from "./lib/plasticity_api.js";
import { PRUNE_THRESHOLD } from "./pruned.bench.js";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const workload = args[0] ?? "0.036";
const repeats = Number(args[1] ?? 500);

/** The step's program, its input leaves in jit's order, and the network (for its edge count). */
function setUp(): { jaxpr: ReturnType<typeof trainStep.lower>; inputs: unknown; network: cnx.NeuralNetwork; label: string } {
  if (workload === "densemlp" || workload === "densemlp-pruned") {
    const { step, optimizer } = adamTrainingStep();
    const network = workload === "densemlp" ? denseNetwork() : pruneSmallWeights(denseNetwork(), PRUNE_THRESHOLD, nn.gelu).network;
    const state = optimizer.init(filter(network, isInexactArray));
    const { x, y } = sineCosineData();
    const f = filterJit((d: { x: Tensor; y: Tensor }, n: cnx.NeuralNetwork, s: unknown) => step(n, s, d.x, d.y));
    return { jaxpr: f.lower({ x, y }, network, state), inputs: [{ x, y }, network, state], network, label: workload === "densemlp" ? "DenseMLP(1, 2, 128, 4)" : `DenseMLP(1, 2, 128, 4) pruned at |w| < ${PRUNE_THRESHOLD}` };
  }
  const keep = Number(workload);
  const { train } = loadMnist({ trainSize: 200, testSize: 0 });
  const images = np.slice(train.images, 0, 100);
  const labels = np.slice(train.labels, 0, 100);
  const dense = layeredNetwork(LENET_300_100, { key: random.key(0) });
  const network = keep >= 1 ? dense : cnx.pruneByMagnitude(dense, { fraction: 1 - keep }, { scope: "batch" });
  const state = initState(network);
  return { jaxpr: trainStep.lower({ images, labels }, network, state), inputs: [{ images, labels }, network, state], network, label: "LeNet-300-100" };
}

const { jaxpr, inputs, network, label } = setUp();
// With SPINNER=load|int: a thread of this process that, while `globalThis.SPIN` is true, loops
// on atomic loads (as an idle pool worker spins) or on integer adds, and sleeps otherwise; with
// TOGGLE=SPIN, how a busy second core slows the calling thread's own work.
if (process.env.SPINNER !== undefined) {
  const { Worker } = await import("node:worker_threads");
  const flag = new Int32Array(new SharedArrayBuffer(64));
  const body = process.env.SPINNER === "int" ? "for (let i = 0; i < 1000; i++) x = (x + i) | 0;" : "for (let i = 0; i < 1000; i++) x ^= Atomics.load(f, 1);";
  const source = `const { workerData } = require("node:worker_threads"); const f = new Int32Array(workerData); let x = 0; for (;;) { if (Atomics.load(f, 0) === 0) { Atomics.wait(f, 0, 0); continue; } ${body} }`;
  new Worker(source, { eval: true, workerData: flag.buffer }).unref();
  Object.defineProperty(globalThis, "SPIN", {
    set(on: boolean) {
      Atomics.store(flag, 0, on ? 1 : 0);
      Atomics.notify(flag, 0);
    },
  });
}
/** Whether a pytree leaf is an array (jit traces those; other leaves are static). */
const isArrayLeaf = (l: unknown): l is Tensor => l instanceof Object && "shape" in l && typeof (l as Tensor).dtype === "string";
// The traced leaves in jit's order: every array leaf of the inputs, copied into the kernel
// memory. Without DONATE=1 the executable below is compiled without donation, so that it can
// run again on them.
const policy = setResidentPolicy("grow");
const leaves = tree
  .leaves(inputs)
  .filter(isArrayLeaf)
  .map((l) => np.array(l) as ConcreteTensor);
setResidentPolicy(policy);
if (leaves.length !== jaxpr.inVars.length) throw new Error(`${leaves.length} leaves for ${jaxpr.inVars.length} inputs`);
// Time each step inside the real executable: equations through their primitive's impl (keyed
// by the equation's params object), fused loops through their kernel's run.
const times: number[] = [];
let timing = false;
const byParams = new Map<unknown, number>();
const patched = new Set<unknown>();
// Every primitive, not only the program's: compile may put a joint one in place of two
// (`Primitive.jointWith`), and it binds each impl as it compiles, so they are wrapped first.
for (const primitive of allPrimitives().values()) {
  const prim = primitive as unknown as { impl: (a: unknown, p: unknown) => unknown };
  if (patched.has(prim)) continue;
  patched.add(prim);
  const impl = prim.impl;
  prim.impl = function (this: unknown, a: unknown, p: unknown) {
    const k = byParams.get(p);
    if (k === undefined || !timing) return impl.call(this, a, p);
    const t0 = performance.now();
    const out = impl.call(this, a, p);
    times[k]! += performance.now() - t0;
    return out;
  };
}
// With DONATE=1 the step donates the network and optimiser state as the benchmarks' training
// loops do (the data is the one argument not donated): each call's new network and state are
// the next call's inputs, results take the kernel memory, and an optimiser update may write
// into the storage of the state it replaces. Without it, results are ordinary arrays.
const donating = process.env.DONATE === "1";
const dataLeaves = tree.leaves((inputs as unknown[])[0]).filter(isArrayLeaf).length;
const compileOptions = { donated: jaxpr.inVars.map((_, i) => donating && i >= dataLeaves) };
if (donating) {
  const carried = jaxpr.outs.slice(0, jaxpr.inVars.length - dataLeaves);
  const same = carried.length === jaxpr.inVars.length - dataLeaves && carried.every((a, k) => a.kind === "var" && JSON.stringify(a.v.aval.shape) === JSON.stringify(jaxpr.inVars[dataLeaves + k]!.aval.shape));
  if (!same) throw new Error("DONATE=1: the step's first results are not its donated inputs' shapes, in order");
}
const run = compile(jaxpr, compileOptions);
// With COMPILE_TOGGLE=name: the executable compiled with `globalThis[name]` true, run in place of
// `run` on the comparison's side 1 (see the end of this file).
const compileToggle = process.env.COMPILE_TOGGLE;
const toggled = compileToggle === undefined ? run : compileWith(compileToggle);
function compileWith(name: string): typeof run {
  const g = globalThis as Record<string, unknown>;
  g[name] = true;
  try {
    return compile(jaxpr, compileOptions);
  } finally {
    delete g[name];
  }
}
let current = run;
run.steps.forEach((step, k) => {
  times.push(0);
  if (step.kind === "eqn") byParams.set(step.eqn.params, k);
  else {
    const kernel = step.kernel as unknown as { run: (...a: unknown[]) => unknown };
    const inner = kernel.run.bind(kernel);
    kernel.run = (...a: unknown[]) => {
      if (!timing) return inner(...a);
      const t0 = performance.now();
      const out = inner(...a);
      times[k]! += performance.now() - t0;
      return out;
    };
  }
});
/**
 * One block of `count` calls; with `timed`, each step's time is added to `into` and the
 * calls' total returned (ms).
 */
function block(count: number, timed: boolean, into: number[]): number {
  let total = 0;
  for (let rep = 0; rep < count; rep++) {
    // The two executables of COMPILE_TOGGLE differ in their steps: only calls are timed.
    timing = timed && compileToggle === undefined;
    const t0 = performance.now();
    const outs = current(leaves) as ConcreteTensor[];
    if (timed) total += performance.now() - t0;
    if (donating) {
      // The new network and state replace the donated ones (deleted by the call).
      const carried = leaves.length - dataLeaves;
      leaves.splice(dataLeaves, carried, ...outs.slice(0, carried));
      for (const o of outs.slice(carried)) recycle(o.data);
      continue;
    }
    // The outputs are dropped: give their memory back, as a donating training loop does (large
    // arrays are blocks of the kernel memory, which the garbage collector frees only between
    // tasks; this loop never yields).
    const inputs = new Set(leaves.map((l) => l.data));
    for (const o of outs) if (!inputs.has(o.data)) recycle(o.data);
  }
  timing = false;
  for (let k = 0; k < times.length; k++) {
    into[k]! += times[k]!;
    times[k] = 0;
  }
  return total;
}
const describe = (k: number): string => {
  const s = run.steps[k]!;
  if (s.kind === "eqn") return `${s.eqn.prim.name} ${JSON.stringify(s.eqn.params).slice(0, 60)} -> [${s.eqn.outputs[0]!.aval.shape.join(",")}]`;
  return `fused ${s.eqns.length} (${[...new Set(s.eqns.map((e) => e.prim.name))].join(",")}) [${s.shape.join(",")}]`;
};
// With DEPS=a-b: steps a to b, each with the step that makes each of its operands (`#in`: an
// input of the call) and their shapes, then exit (which data a step reads, and who wrote it).
if (process.env.DEPS !== undefined) {
  const producer = new Map<number, number>();
  run.steps.forEach((s, k) => (s.kind === "eqn" ? s.eqn.outputs : s.outputs).forEach((v) => producer.set(v.id, k)));
  const range = /^(\d+)(?:-(\d+))?$/.exec(process.env.DEPS);
  if (range === null) throw new Error(`DEPS=${process.env.DEPS}: expected a step number or a range a-b (the program has steps 0-${run.steps.length - 1})`);
  const from = Number(range[1]);
  const to = Math.min(Number(range[2] ?? range[1]), run.steps.length - 1);
  for (let k = from; k <= to; k++) {
    const s = run.steps[k]!;
    const operands = (s.kind === "eqn" ? s.eqn.inputs : s.inputs).map((x) => (x.kind === "var" ? `#${producer.get(x.v.id) ?? "in"}[${x.v.aval.shape.join(",")}]` : "constant"));
    const ops = s.kind === "fused" ? ` :: ${s.eqns.map((e) => e.prim.name).join(" ")}` : "";
    console.log(`#${k} ${describe(k)} <- ${operands.join(" ")}${ops}`);
  }
  process.exit(0);
}
const top = Number(process.env.TOP ?? 30);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Two variants compared in this process, so both see the same machine: `set(side)` switches to
 * variant 0 or 1. 20 pairs of blocks of `repeats / 10` calls in ABBA order (neither variant
 * always runs second: with plain alternation the second ran 5-10 % faster on 2 threads here),
 * each block after a few untimed calls; prints the median of the per-pair ratios (1 over 0)
 * with its quartiles, the totals, and each step's time under both.
 */
function compareVariants(names: [string, string], set: (side: 0 | 1) => void): void {
  const per: [number[], number[]] = [run.steps.map(() => 0), run.steps.map(() => 0)];
  const calls: [number, number] = [0, 0];
  const size = Math.max(1, Math.floor(repeats / 10));
  const pairs = 20;
  const ratios: number[] = [];
  block(size, false, run.steps.map(() => 0));
  for (let p = 0; p < pairs; p++) {
    const times: [number, number] = [0, 0];
    for (const side of (p % 2 === 0 ? [0, 1] : [1, 0]) as (0 | 1)[]) {
      set(side);
      block(Math.min(10, size), false, run.steps.map(() => 0));
      times[side] = block(size, true, per[side]!);
      calls[side] += times[side];
    }
    ratios.push(times[1] / times[0]);
  }
  ratios.sort((a, b) => a - b);
  const reps = pairs * size;
  const us = (ms: number) => ((ms / reps) * 1000).toFixed(0);
  console.log(`${label}: ${names[1]} / ${names[0]}: paired median ${ratios[pairs >> 1]!.toFixed(3)}x (quartiles ${ratios[pairs >> 2]!.toFixed(3)}, ${ratios[(3 * pairs) >> 2]!.toFixed(3)}); per call ${us(calls[0])} µs (${names[0]}), ${us(calls[1])} µs (${names[1]}); in the steps ${us(sum(per[0]))} / ${us(sum(per[1]))} µs`);
  const order = per[0].map((_, k) => k).sort((a, b) => per[0][b]! + per[1][b]! - per[0][a]! - per[1][a]!);
  for (const k of order.slice(0, compileToggle === undefined ? top : 0)) {
    const [zero, one] = [per[0][k]! / reps, per[1][k]! / reps];
    console.log(`${(zero * 1000).toFixed(1).padStart(8)} ${(one * 1000).toFixed(1).padStart(8)} µs ${(one / zero).toFixed(2).padStart(5)}x  #${k} ${describe(k)}`);
  }
}

if (process.env.ISOLATE === undefined && (process.env.THREADS_AB !== undefined || process.env.TOGGLE !== undefined || compileToggle !== undefined)) {
  if (compileToggle !== undefined) {
    compareVariants([`${compileToggle} off`, `${compileToggle} on`], (side) => (current = side === 1 ? toggled : run));
  } else if (process.env.THREADS_AB !== undefined) {
    // THREADS_AB=n: 1 thread against n.
    const n = Number(process.env.THREADS_AB);
    compareVariants(["1 thread", `${n} threads`], (side) => {
      setNumThreads(side === 0 ? 1 : n);
      waitForThreads();
    });
  } else {
    // TOGGLE=name: `globalThis[name]` false against true, for a switch the code reads at run time
    // (a temporary one, while deciding between two versions of a kernel or a policy).
    const name = process.env.TOGGLE!;
    compareVariants([`${name} off`, `${name} on`], (side) => ((globalThis as Record<string, unknown>)[name] = side === 1));
  }
  process.exit(0);
}

const counted = repeats - Math.floor(repeats / 5) - 1;
const warm = run.steps.map(() => 0);
block(Math.floor(repeats / 5) + 1, false, warm);
const totals = run.steps.map(() => 0);
const stepTotal = block(counted, true, totals);
times.splice(0, times.length, ...totals);
const total = sum(times) / counted;
console.log(`${label}, ${network.numEdges} edges: ${run.steps.length} steps, ${(total * 1000).toFixed(0)} µs in the steps, ${((stepTotal / counted) * 1000).toFixed(0)} µs per call`);
const order = times.map((t, k) => k).sort((a, b) => times[b]! - times[a]!);
for (const k of order.slice(0, top)) console.log(`${((times[k]! / counted) * 1000).toFixed(1).padStart(8)} µs  #${k} ${describe(k)}`);

/**
 * `call`'s mean time over REPS calls (2,000 by default) after as many untimed ones, as text; with
 * THREADS_AB=n, in six alternating blocks on 1 thread and on n, each block's.
 */
function timeAlone(call: () => void): string {
  const reps = Number(process.env.REPS ?? 2000);
  const ab = Number(process.env.THREADS_AB);
  const counts = process.env.THREADS_AB === undefined ? [0] : [1, ab, 1, ab, 1, ab];
  const report: string[] = [];
  for (let i = 0; i < reps; i++) call();
  for (const n of counts) {
    if (n > 0) {
      setNumThreads(n);
      waitForThreads();
    }
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) call();
    report.push(`${n > 0 ? `${n} thread(s) ` : ""}${(((performance.now() - t0) / reps) * 1000).toFixed(1)} µs`);
  }
  return report.join(", ");
}

// With ISOLATE=k: step k alone, run 2,000 times (REPS) on the inputs one call gave it (its cost
// without the rest of the step around it: caches warm, no other work in between). A fused loop
// runs through its kernel; a single equation through its primitive's implementation, on copies
// of its contiguous operands in the kernel memory (a view stays the view it was).
if (process.env.ISOLATE !== undefined) {
  const k = Number(process.env.ISOLATE);
  const step = run.steps[k]!;
  let captured: ConcreteTensor[] | null = null;
  if (step.kind === "fused") {
    const kernel = step.kernel as unknown as { run: (...a: unknown[]) => unknown };
    const inner = kernel.run;
    kernel.run = (...a: unknown[]) => ((captured ??= (a[0] as ConcreteTensor[]).slice()), inner(...a));
    run(leaves);
    const dtypes = step.outputs.map((v) => v.aval.dtype);
    const buffers = undefined;
    const saved = setResidentPolicy("grow");
    const report = timeAlone(() => {
      const outs = inner(captured!, step.shape, dtypes, undefined, buffers) as ConcreteTensor[];
      for (const o of outs) recycle(o.data, true);
    });
    setResidentPolicy(saved);
    console.log(`#${k} alone: ${report} (outputs handed back after each call); inputs ${captured!.map((t) => `[${t.shape.join(",")}] stride [${t.stride.join(",")}]`).join(" ")}`);
  } else {
    // A single equation: its primitive's implementation, wrapped while a second executable is
    // compiled and called once, gives the operands it ran on.
    const { prim, params } = step.eqn;
    const impl = prim.impl;
    prim.impl = function (args: ConcreteTensor[], p: typeof params) {
      if (p === params) captured ??= args.slice();
      return impl.call(this, args, p);
    };
    try {
      compile(jaxpr, { donated: leaves.map(() => false) })(leaves);
    } finally {
      prim.impl = impl;
    }
    const saved = setResidentPolicy("grow");
    // The executable may have handed those buffers back: copies of their own, in the kernel memory.
    const operands = captured!.map((t) => (t.isContiguous ? (np.array(t) as ConcreteTensor) : t));
    const report = timeAlone(() => {
      for (const o of prim.impl(operands, params)) recycle(o.data, true);
    });
    setResidentPolicy(saved);
    console.log(`#${k} ${prim.name} alone: ${report} (outputs handed back after each call); inputs ${operands.map((t) => `[${t.shape.join(",")}] stride [${t.stride.join(",")}]`).join(" ")}`);
  }
}
