/**
 * Code generation of the jit executor: a planned program as one generated straight-line
 * function.
 */
import type { TypedArray } from "../../dtype.js";
import { ConcreteTensor } from "../../tensor.js";
import { recycle } from "../buffers.js";

/** A compiled jaxpr: concrete inputs in, concrete outputs out. */
export type RunFunction = (inputs: readonly ConcreteTensor[]) => ConcreteTensor[];

/** An operand of a planned step. */
export interface Operand {
  /** Slot of a variable, or -1 for a constant. */
  readonly slot: number;
  /** The constant, or null for a variable. */
  readonly value: ConcreteTensor | null;
}

/** One planned step: its runner, operands and output slots. */
export interface PlannedStep {
  run(args: ConcreteTensor[]): ConcreteTensor[];
  readonly inputs: readonly Operand[];
  readonly outputs: readonly number[];
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
export function straightLine(
  planned: readonly PlannedStep[],
  outs: readonly Operand[],
  numIn: number,
  reused: ReadonlySet<TypedArray>,
  recycleAfter: ReadonlyMap<number, readonly number[]>,
): RunFunction {
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
