import { allocate, ConcreteTensor, recycle, type TypedArray } from "@connex/core";
import type { Atom, Jaxpr } from "./jaxpr.js";
import { fuse } from "./fuse.js";

/** A compiled jaxpr: concrete inputs in, concrete outputs out. */
export type Executable = (inputs: readonly ConcreteTensor[]) => ConcreteTensor[];

interface Operand {
  /** Slot of a variable, or -1 for a constant. */
  readonly slot: number;
  readonly value: ConcreteTensor | null;
}

/**
 * Compile a jaxpr into a closure. Elementwise chains run as fused generated loops (see
 * `fuse.ts`); every other equation calls its primitive's kernel directly: no dispatch, no
 * re-validation (shapes were checked while tracing), operands resolved to slots ahead of time,
 * and every intermediate released after its last use.
 */
export function compileJaxpr(jaxpr: Jaxpr): Executable {
  const slotMap = new Map<number, number>();
  let slots = 0;
  for (const v of jaxpr.inVars) slotMap.set(v.id, slots++);
  for (const e of jaxpr.eqns) for (const v of e.outputs) slotMap.set(v.id, slots++);
  const operand = (a: Atom): Operand => (a.kind === "var" ? { slot: slotMap.get(a.v.id)!, value: null } : { slot: -1, value: a.value });

  const steps0 = fuse(jaxpr);
  /** Buffers reused across calls; an output found to share one is copied (belt and braces). */
  const reused = new Set<TypedArray>();
  const escaping = escapingSlots(jaxpr, slotMap);
  const planned = steps0.map((step) => {
    if (step.kind === "eqn") {
      const e = step.eqn;
      const impl = e.prim.impl.bind(e.prim);
      const params = e.params;
      return { run: (args: ConcreteTensor[]) => impl(args, params), inputs: e.inputs.map(operand), outputs: e.outputs.map((v) => slotMap.get(v.id)!) };
    }
    const dtypes = step.outputs.map((v) => v.aval.dtype);
    const weak = step.outputs.map((v) => v.aval.weakType);
    const { kernel } = step;
    // Frozen once here, the shape is shared by every output tensor of every call.
    const shape = Object.freeze(step.shape.slice());
    const outSlotsOfStep = step.outputs.map((v) => slotMap.get(v.id)!);
    // Intermediates that never escape the call get buffers allocated once and reused.
    const reusable = outSlotsOfStep.every((slot) => !escaping.has(slot));
    let buffers: TypedArray[] | undefined;
    const size = shape.reduce((a, b) => a * b, 1);
    const run = reusable
      ? (args: ConcreteTensor[]) => {
          if (!buffers) {
            buffers = dtypes.map((d) => allocate(d, size));
            for (const b of buffers) reused.add(b);
          }
          return kernel.run(args, shape, dtypes, weak, buffers);
        }
      : (args: ConcreteTensor[]) => kernel.run(args, shape, dtypes, weak);
    return { run, inputs: step.inputs.map(operand), outputs: outSlotsOfStep };
  });
  const outs = jaxpr.outs.map(operand);
  const recycleAfter = recyclingPlan(steps0, jaxpr, slotMap);
  return straightLine(planned, outs, jaxpr.inVars.length, reused, recycleAfter);
}

/**
 * Which intermediate buffers the call may hand back to the allocator (`recycle`), and after
 * which step: for each buffer a primitive marked `freshOutputs` makes, the last step reading it or any
 * value that may alias it (the output of any other non-fused primitive may be a view of its
 * operands, so aliasing is followed through them conservatively), unless an output of the call
 * may alias it. Big intermediates (a pruned DenseMLP step makes dozens of `[128, 250]` and
 * larger) then reuse memory across calls instead of paying for new backing stores.
 */
function recyclingPlan(steps: ReturnType<typeof fuse>, jaxpr: Jaxpr, slotMap: Map<number, number>): Map<number, number[]> {
  const roots = new Map<number, readonly number[]>();
  const producedAt = new Map<number, number>();
  const lastUse = new Map<number, number>();
  const rootsOf = (a: Atom): readonly number[] => (a.kind === "var" ? (roots.get(slotMap.get(a.v.id)!) ?? []) : []);
  steps.forEach((step, i) => {
    for (const a of step.kind === "eqn" ? step.eqn.inputs : step.inputs) for (const r of rootsOf(a)) lastUse.set(r, i);
    if (step.kind !== "eqn") return; // fused loops write buffers of their own, never their operands'
    const fresh = step.eqn.prim.freshOutputs === true;
    const inherited = fresh ? [] : [...new Set(step.eqn.inputs.flatMap(rootsOf))];
    for (const v of step.eqn.outputs) {
      const slot = slotMap.get(v.id)!;
      roots.set(slot, fresh ? [slot] : inherited);
      if (fresh) producedAt.set(slot, i);
    }
  });
  const escaping = new Set(jaxpr.outs.flatMap(rootsOf));
  const plan = new Map<number, number[]>();
  for (const [slot, at] of producedAt) {
    if (escaping.has(slot)) continue;
    const after = Math.max(at, lastUse.get(slot) ?? at);
    let list = plan.get(after);
    if (!list) plan.set(after, (list = []));
    list.push(slot);
  }
  return plan;
}

/** Generated executors, numbered so that each has a source text of its own (see fusion.ts). */
let nextExecutorTag = 0;

/**
 * The planned steps as one generated straight-line function: each slot is a local variable,
 * each step one call with its operands in an array literal, and every intermediate is dropped
 * (set to undefined) right after its last use, so big buffers can be collected mid-call. No
 * per-step closures, `map`s or environment array: on a 12-neuron network's training step
 * (~110 steps) this interpreter overhead was a tenth of the call.
 */
function straightLine(
  planned: readonly { run(args: ConcreteTensor[]): ConcreteTensor[]; inputs: readonly Operand[]; outputs: readonly number[] }[],
  outs: readonly Operand[],
  numIn: number,
  reused: ReadonlySet<TypedArray>,
  recycleAfter: ReadonlyMap<number, readonly number[]>,
): Executable {
  const constants: ConcreteTensor[] = [];
  const constIndex = new Map<ConcreteTensor, number>();
  const ref = (x: Operand): string => {
    if (x.value === null) return `v${x.slot}`;
    let c = constIndex.get(x.value);
    if (c === undefined) {
      c = constants.length;
      constants.push(x.value);
      constIndex.set(x.value, c);
    }
    return `C[${c}]`;
  };
  const outSlots = new Set(outs.filter((o) => o.value === null).map((o) => o.slot));
  const lastUse = new Map<number, number>();
  planned.forEach((s, i) => s.inputs.forEach((x) => x.value === null && lastUse.set(x.slot, i)));
  const lines: string[] = [];
  const recycled = new Set([...recycleAfter.values()].flat());
  for (let i = 0; i < numIn; i++) lines.push(`let v${i} = inputs[${i}];`);
  planned.forEach((s, i) => {
    const call = `S[${i}].run([${s.inputs.map(ref).join(", ")}])`;
    if (s.outputs.length === 1) lines.push(`let v${s.outputs[0]} = ${call}[0];`);
    else {
      lines.push(`r = ${call};`);
      s.outputs.forEach((slot, k) => lines.push(`let v${slot} = r[${k}];`));
    }
    // Buffers to recycle are held apart from their tensors, which may be dropped earlier.
    for (const slot of s.outputs) if (recycled.has(slot)) lines.push(`let b${slot} = v${slot}.nd.data;`);
    for (const slot of recycleAfter.get(i) ?? []) lines.push(`R(b${slot}); b${slot} = undefined;`);
    const dead = [...new Set(s.inputs.filter((x) => x.value === null && lastUse.get(x.slot) === i && !outSlots.has(x.slot) && x.slot >= numIn).map((x) => x.slot))];
    if (dead.length > 0) lines.push(`${dead.map((d) => `v${d}`).join(" = ")} = undefined;`);
  });
  lines.push(`return [${outs.map(ref).join(", ")}];`);
  const body = `let r;\n${lines.join("\n")}\n// jit executor #${nextExecutorTag++}`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = new Function("S", "C", "R", `return function run(inputs) {\n${body}\n};`)(planned, constants, recycle) as (inputs: readonly ConcreteTensor[]) => ConcreteTensor[];
  return (inputs) => {
    const results = run(inputs);
    for (let i = 0; i < results.length; i++) {
      const t = results[i]!;
      // Belt and braces: an output must never be a buffer the next call overwrites.
      if (reused.has(t.nd.data)) results[i] = ConcreteTensor.fromData(t.copyData(), t.shape, t.dtype, t.weakType);
    }
    return results;
  };
}

/** Primitives whose concrete output may share its operand's buffer (views, identities). */
const VIEW_PRIMITIVES = new Set(["broadcast_in_dim", "reshape", "transpose", "slice", "stop_gradient", "convert_element_type", "squeeze", "expand_dims"]);

/**
 * Slots whose buffers can outlive the call: the outputs, and (transitively) every operand of
 * a view-producing equation whose result does. Their buffers must be fresh on every call.
 */
function escapingSlots(jaxpr: Jaxpr, slotMap: Map<number, number>): Set<number> {
  const escaping = new Set<number>();
  for (const a of jaxpr.outs) if (a.kind === "var") escaping.add(slotMap.get(a.v.id)!);
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i]!;
    if (!VIEW_PRIMITIVES.has(e.prim.name)) continue;
    if (!e.outputs.some((v) => escaping.has(slotMap.get(v.id)!))) continue;
    for (const a of e.inputs) if (a.kind === "var") escaping.add(slotMap.get(a.v.id)!);
  }
  return escaping;
}
