import { fusedKernel, type FusedKernel, type FusedOp } from "@connex/core";
import type { Atom, Eqn, Jaxpr, Var } from "./jaxpr.js";

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

export interface SingleStep {
  readonly kind: "eqn";
  readonly eqn: Eqn;
}

export type Step = FusedGroup | SingleStep;

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);

function isElementwise(e: Eqn): boolean {
  return e.prim.scalarKernel !== undefined && e.outputs.length === 1;
}

/**
 * Schedule a jaxpr's equations as steps, fusing elementwise chains of equal shape into single
 * loops. An equation that is not elementwise and does not read the open group is hoisted
 * before it (its operands exist already), so view operations (broadcasts, reshapes) interleaved
 * by tracing do not break chains.
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
  let group: { eqns: Eqn[]; indices: Set<number>; produced: Set<number>; shape: readonly number[] } | null = null;

  const flush = () => {
    if (!group) return;
    const g = group;
    group = null;
    if (g.eqns.length === 1) {
      steps.push({ kind: "eqn", eqn: g.eqns[0]! });
      return;
    }
    const inputs: Atom[] = [];
    const regOf = new Map<number | object, number>();
    const reg = (a: Atom): number => {
      const key = a.kind === "var" ? a.v.id : a.value;
      let r = regOf.get(key);
      if (r === undefined) {
        r = inputs.length;
        regOf.set(key, r);
        inputs.push(a);
      }
      return r;
    };
    // First pass: registers of external operands (must precede op registers).
    for (const e of g.eqns) for (const a of e.inputs) if (!(a.kind === "var" && g.produced.has(a.v.id))) reg(a);
    const numIn = inputs.length;
    const ops: FusedOp[] = [];
    const opReg = new Map<number, number>();
    g.eqns.forEach((e, k) => {
      const args = e.inputs.map((a) => (a.kind === "var" && g.produced.has(a.v.id) ? opReg.get(a.v.id)! : regOf.get(a.kind === "var" ? a.v.id : a.value)!));
      const inAvals = e.inputs.map((a) => (a.kind === "var" ? a.v.aval : a.value));
      ops.push({ kernel: e.prim.scalarKernel!(inAvals, e.params), args, dtype: e.outputs[0]!.aval.dtype });
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

  jaxpr.eqns.forEach((e, i) => {
    const readsGroup = group !== null && e.inputs.some((a) => a.kind === "var" && group!.produced.has(a.v.id));
    if (isElementwise(e)) {
      const shape = e.outputs[0]!.aval.shape;
      if (group && !sameShape(group.shape, shape)) flush();
      if (!group) group = { eqns: [], indices: new Set(), produced: new Set(), shape };
      group.eqns.push(e);
      group.indices.add(i);
      group.produced.add(e.outputs[0]!.id);
      return;
    }
    if (group && readsGroup) flush();
    steps.push({ kind: "eqn", eqn: e });
  });
  flush();
  return steps;
}
