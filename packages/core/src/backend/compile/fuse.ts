import { operandAvals, type Atom, type Eqn, type Jaxpr, type Var } from "../../jaxpr.js";
import { fusedKernel, MAX_MASKED_INPUTS, type FusedKernel, type FusedOp } from "../kernels/fusion.js";

/** A run of elementwise equations executed as one generated loop. */
export interface FusedGroup {
  readonly kind: "fused";
  readonly eqns: readonly Eqn[];
  /** Operands read from outside the group, in register order. */
  readonly inputs: readonly Atom[];
  /** Group variables needed after the group (materialised), in output order. */
  readonly outputs: readonly Var[];
  readonly shape: readonly number[];
  readonly kernel: FusedKernel;
}

/** One equation run by its primitive's `impl`. */
export interface SingleStep {
  readonly kind: "eqn";
  readonly eqn: Eqn;
}

/** One step of a compiled program: a fused loop or a single equation. */
export type Step = FusedGroup | SingleStep;

/** Elements from which a lone elementwise equation is run as a one-op fused loop (see `fuse`). */
const LONE_FUSED_MIN_SIZE = 4096;

/** Whether an equation may join a fused loop: its primitive is fusable (has a scalar kernel) for these operands. */
function isFusable(e: Eqn): boolean {
  if (e.prim.scalarKernel === undefined || e.outputs.length !== 1) return false;
  return !e.prim.unfusedFor?.(operandAvals(e), e.params);
}

/**
 * Schedule a jaxpr's equations as steps, fusing elementwise chains of equal shape into single
 * loops. An equation that is not elementwise and does not read an open group is hoisted
 * before it (its operands exist already), so view operations (broadcasts, reshapes) interleaved
 * by tracing do not break chains. One that reads an open group is deferred: elementwise
 * equations after it that do not need its results still join their groups, and it runs once
 * something needs it (its groups emitted first). So `exp(s)` joins the loop that made `s` though
 * a `reduce_sum(s)` was traced between them (the softmax's `sum(s)`, `exp(s)`): one call of a
 * generated loop fewer, where each costs microseconds to set up over a `[100, 10]` array.
 * Equations are pure, so the order changes no value.
 */
export function fuse(jaxpr: Jaxpr): Step[] {
  // Where each variable is consumed: equation indices, and whether the jaxpr returns it.
  const consumers = new Map<number, number[]>();
  jaxpr.eqns.forEach((e, i) =>
    e.inputs.forEach((a) => {
      if (a.kind !== "var") return;
      const list = consumers.get(a.v.id);
      if (list) list.push(i);
      else consumers.set(a.v.id, [i]);
    }),
  );
  const returned = new Set<number>();
  for (const a of jaxpr.outs) if (a.kind === "var") returned.add(a.v.id);

  const steps: Step[] = [];
  /** How a group's registers tell operands apart: a variable by id, a constant by identity. */
  const atomKey = (a: Atom): number | object => (a.kind === "var" ? a.v.id : a.value);
  // One open group per shape: elementwise equations only read operands of their own shape,
  // so groups of different shapes never feed each other directly.
  // `external`: the operands read from outside the group so far (a program's inputs), kept
  // within MAX_MASKED_INPUTS: the DenseMLP's four bias updates fused into one 60-operation
  // program read 46, whose broadcast scalars then had to be gathered into full arrays (80 µs per
  // step, ~08:20 UTC 2026-12-06); a group that would read more is emitted and a new one begun.
  type Open = { eqns: Eqn[]; indices: Set<number>; produced: Set<number>; shape: readonly number[]; external: Set<number | object> };
  const open = new Map<string, Open>();

  const flush = (key: string) => {
    const g = open.get(key);
    if (!g) return;
    open.delete(key);
    // A lone small equation runs its primitive directly; a lone large one still becomes a
    // one-op loop, so jit can give it a buffer reused across calls (allocating a fresh 128 KiB
    // array cost more than the add it held: 190 µs against 30 µs for a [128, 250] bias add).
    if (g.eqns.length === 1 && g.shape.reduce((a, b) => a * b, 1) < LONE_FUSED_MIN_SIZE) {
      steps.push({ kind: "eqn", eqn: g.eqns[0]! });
      return;
    }
    const inputs: Atom[] = [];
    const regOf = new Map<number | object, number>();
    const reg = (a: Atom): number => {
      const k = atomKey(a);
      let r = regOf.get(k);
      if (r === undefined) {
        r = inputs.length;
        regOf.set(k, r);
        inputs.push(a);
      }
      return r;
    };
    // External operands take the first registers; op k writes register numIn + k.
    for (const e of g.eqns) for (const a of e.inputs) if (!(a.kind === "var" && g.produced.has(a.v.id))) reg(a);
    const numIn = inputs.length;
    const ops: FusedOp[] = [];
    const opReg = new Map<number, number>();
    g.eqns.forEach((e, k) => {
      const args = e.inputs.map((a) => (a.kind === "var" && g.produced.has(a.v.id) ? opReg.get(a.v.id)! : regOf.get(atomKey(a))!));
      const inAvals = operandAvals(e);
      const simd = e.prim.simdLowering?.(inAvals, e.params);
      ops.push({ kernel: e.prim.scalarKernel!(inAvals, e.params), args, dtype: e.outputs[0]!.aval.dtype, ...(simd ? { simd } : {}) });
      opReg.set(e.outputs[0]!.id, numIn + k);
    });
    const outputs = g.eqns
      .map((e) => e.outputs[0]!)
      .filter((v) => returned.has(v.id) || (consumers.get(v.id) ?? []).some((i) => !g.indices.has(i)));
    const kernel = fusedKernel({
      inputs: inputs.map((a) => (a.kind === "var" ? a.v.aval.dtype : a.value.dtype)),
      ops,
      outputs: outputs.map((v) => opReg.get(v.id)!),
    });
    steps.push({ kind: "fused", eqns: g.eqns, inputs, outputs, shape: g.shape, kernel });
  };

  const readsGroup = (e: Eqn, g: Open) => e.inputs.some((a) => a.kind === "var" && g.produced.has(a.v.id));
  const flushGroupsReadBy = (e: Eqn) => {
    for (const [key, g] of [...open]) if (readsGroup(e, g)) flush(key);
  };
  const readsOpenGroup = (e: Eqn) => [...open.values()].some((g) => readsGroup(e, g));
  // The non-fusable equation waiting for the open groups it reads (at most one: see below).
  let waiting: Eqn | null = null;
  const runWaiting = () => {
    if (waiting === null) return;
    flushGroupsReadBy(waiting);
    steps.push({ kind: "eqn", eqn: waiting });
    waiting = null;
  };
  const readsWaiting = (e: Eqn) => waiting !== null && e.inputs.some((a) => a.kind === "var" && waiting!.outputs.some((v) => v.id === a.v.id));

  jaxpr.eqns.forEach((e, i) => {
    if (readsWaiting(e)) runWaiting();
    if (isFusable(e)) {
      const shape = e.outputs[0]!.aval.shape;
      const key = shape.join(",");
      let g = open.get(key);
      /** The operands this equation reads from outside group `h`. */
      const readsFrom = (h: Open) => new Set(e.inputs.filter((a) => !(a.kind === "var" && h.produced.has(a.v.id))).map(atomKey));
      if (g) {
        const reads = readsFrom(g);
        if (g.external.size + [...reads].filter((k) => !g!.external.has(k)).length > MAX_MASKED_INPUTS) {
          flush(key);
          g = undefined;
        }
      }
      if (!g) open.set(key, (g = { eqns: [], indices: new Set(), produced: new Set(), shape, external: new Set() }));
      for (const k of readsFrom(g)) g.external.add(k);
      g.eqns.push(e);
      g.indices.add(i);
      g.produced.add(e.outputs[0]!.id);
      return;
    }
    // Anything else runs now if it reads no open group, and waits for one it reads otherwise.
    // At most one equation waits at a time (the one before runs first), so work such as a
    // weight gradient's product still runs where it was traced, right after the loop that made
    // its operand.
    if (readsOpenGroup(e)) {
      runWaiting();
      if (readsOpenGroup(e)) {
        waiting = e;
        return;
      }
    }
    steps.push({ kind: "eqn", eqn: e });
  });
  runWaiting();
  for (const key of [...open.keys()]) flush(key);
  return steps;
}
