/**
 * Code generation of the jit executor: a planned program as one generated straight-line
 * function.
 */
import type { TypedArray } from "../../dtype.js";
import { ConcreteTensor } from "../../tensor.js";
import { recycle } from "../buffers.js";
import { setResidentPolicy, type ResidentPolicy } from "../resident_storage.js";
import { PoolChoice } from "../threads/pool_choice.js";
import { checkConstantsLive, checkInputsLive, deleteDonated, recyclableInputs } from "./donation.js";

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
  /** `recyclable`: per input slot, the donated argument's storage this call may hand back, or null (see `donation.ts`). */
  run(args: ConcreteTensor[], recyclable?: readonly (TypedArray | null)[]): ConcreteTensor[];
  readonly inputs: readonly Operand[];
  readonly outputs: readonly number[];
}

/** Storage a step took for one of its outputs (an input's, read last by that step), which the executor must not hand back after it. */
const claimed = new Set<TypedArray>();

/**
 * Marks an input's storage as taken by the running step for one of its outputs: the recycling
 * that follows the step skips it once.
 * Example: `claimForOutput(donated.data)` before writing the step's result into it.
 */
export function claimForOutput(data: TypedArray): void {
  claimed.add(data);
}

/** The executor hands its buffers back kept for its own next allocations (see `releaseResident`), except storage a step took for an output. */
const recycleKept = (data: TypedArray): void => {
  if (claimed.delete(data)) return;
  recycle(data, true);
};

/** Generated executors, numbered so that each has a source text of its own (see fusion.ts). */
let nextExecutorTag = 0;

/**
 * The planned steps as one generated straight-line function: each slot is a local variable,
 * each step one call with its operands in an array literal, and every intermediate is dropped
 * (set to undefined) right after its last use, so big buffers can be collected mid-call. No
 * per-step closures, `map`s or environment array: on a 12-neuron network's training step
 * (~110 steps) this interpreter overhead was a tenth of the call.
 *
 * `donated` input slots are deleted after each call; their buffers go back to the allocator
 * where `recycleAfter` says (step -1: before the first step), when the call finds them
 * recyclable (see `donation.ts`).
 *
 * Large arrays go into the kernel memory as `resident_storage.ts`'s `ResidentPolicy` says:
 * the steps that make only intermediates run with `"grow"` (the call hands them back); a step
 * that makes a result of the call runs with `"grow"` when the call donates (the next call hands
 * its results back), else `"off"`. The caller's policy is restored after the call.
 *
 * Each executor times its calls to choose whether its large operations split across the
 * pool's threads or all run on the calling thread (`threads/pool_choice.ts`).
 */
export function straightLine(
  planned: readonly PlannedStep[],
  outs: readonly Operand[],
  numIn: number,
  reused: ReadonlySet<TypedArray>,
  recycleAfter: ReadonlyMap<number, readonly number[]>,
  donated: readonly number[] = [],
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
  // A donated argument's buffer (in D, or null when this call may not recycle it).
  const recycleLine = (slot: number): string => (slot < numIn ? `if (D[${slot}] !== null) R(D[${slot}]);` : `R(b${slot}); b${slot} = undefined;`);
  for (const slot of recycleAfter.get(-1) ?? []) lines.push(recycleLine(slot));
  const resultPolicy: ResidentPolicy = donated.length > 0 ? "grow" : "off";
  let policy: ResidentPolicy | null = null;
  planned.forEach((s, i) => {
    const stepPolicy = s.outputs.some((slot) => outSlots.has(slot)) ? resultPolicy : "grow";
    if (stepPolicy !== policy) lines.push(`P("${(policy = stepPolicy)}");`);
    const call = `S[${i}].run([${s.inputs.map(ref).join(", ")}], D)`;
    if (s.outputs.length === 1) lines.push(`let v${s.outputs[0]} = ${call}[0];`);
    else {
      lines.push(`r = ${call};`);
      s.outputs.forEach((slot, k) => lines.push(`let v${slot} = r[${k}];`));
    }
    // Buffers to recycle are held apart from their tensors, which may be dropped earlier.
    for (const slot of s.outputs) if (recycled.has(slot)) lines.push(`let b${slot} = v${slot}.data;`);
    for (const slot of recycleAfter.get(i) ?? []) lines.push(recycleLine(slot));
    const dead = [...new Set(s.inputs.filter((x) => x.value === null && lastUse.get(x.slot) === i && !outSlots.has(x.slot) && x.slot >= numIn).map((x) => x.slot))];
    if (dead.length > 0) lines.push(`${dead.map((d) => `v${d}`).join(" = ")} = undefined;`);
  });
  lines.push(`return [${outs.map(ref).join(", ")}];`);
  const body = `let r;\n${lines.join("\n")}\n// jit executor #${nextExecutorTag++}`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = new Function("S", "C", "R", "P", `return function run(inputs, D) {\n${body}\n};`)(planned, constants, recycleKept, setResidentPolicy) as (
    inputs: readonly ConcreteTensor[],
    D: readonly (TypedArray | null)[],
  ) => ConcreteTensor[];
  const constantStorage = new Set(constants.map((c) => c.data));
  const none: (TypedArray | null)[] = [];
  const choice = new PoolChoice();
  const execute: RunFunction = (inputs) => {
    const callerPolicy = setResidentPolicy("grow");
    try {
      if (donated.length === 0) return finish(run(inputs, none));
      let results: ConcreteTensor[];
      try {
        results = finish(run(inputs, recyclableInputs(inputs, donated, constantStorage)));
      } catch (e) {
        // Some donated buffers may already be back in the allocator: delete the arguments anyway.
        deleteDonated(inputs, donated, []);
        throw e;
      }
      deleteDonated(inputs, donated, results);
      return results;
    } finally {
      claimed.clear();
      setResidentPolicy(callerPolicy);
    }
  };
  return (inputs) => {
    checkConstantsLive(constants);
    checkInputsLive(inputs);
    return choice.run(() => execute(inputs));
  };
  function finish(results: ConcreteTensor[]): ConcreteTensor[] {
    for (let i = 0; i < results.length; i++) {
      const t = results[i]!;
      // Belt and braces: an output must never be a buffer the next call overwrites.
      if (reused.has(t.data)) results[i] = ConcreteTensor.fromData(t.copyData(), t.shape, t.dtype, t.weakType);
    }
    return results;
  }
}
