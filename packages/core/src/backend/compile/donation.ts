/**
 * Buffer donation in the jit executor (JAX's `donate_argnums`): per call, which donated
 * arguments' buffers may go back to the allocator after their last reader, and afterwards the
 * deletion of every donated argument, so that nothing reads memory the allocator may have
 * handed to another value.
 */
import type { TypedArray } from "../../dtype.js";
import { anyDeleted, coversStorage, deletionCause, markStorageDeleted, markTensorDeleted } from "../../deletion.js";
import { DeletedArrayError } from "../../errors.js";
import { ConcreteTensor } from "../../tensor.js";
import { moveResident } from "../resident_storage.js";

/**
 * Per input slot, the storage the call may recycle after its last reader, or null: donated
 * arguments that cover their whole buffer and share it with no other argument and no constant
 * of the program (the jit layer rejects shared donated buffers before calling; this is the
 * executor's own guard).
 */
export function recyclableInputs(inputs: readonly ConcreteTensor[], donated: readonly number[], constantStorage: ReadonlySet<TypedArray>): (TypedArray | null)[] {
  const out = new Array<TypedArray | null>(inputs.length).fill(null);
  for (const slot of donated) {
    const t = inputs[slot]!;
    const data = t.data;
    if (!coversStorage(t) || constantStorage.has(data)) continue;
    let shared = false;
    for (let j = 0; j < inputs.length && !shared; j++) shared = j !== slot && inputs[j]!.data === data;
    if (!shared) out[slot] = data;
  }
  return out;
}

/** A new tensor with the same view over the same memory, through a new storage array object. */
function throughNewStorage(t: ConcreteTensor): ConcreteTensor {
  const d = t.data;
  // A block of the kernel memory belongs to one array object: it moves to the new one.
  const base = ConcreteTensor.fromData(moveResident(d), [d.length], t.dtype, t.weakType);
  return ConcreteTensor.view(base, t.shape, t.stride, t.offset);
}

/**
 * After a call: delete every donated argument (its whole storage when it covers it, else the
 * view alone). Results that are views of a donated argument's memory (`x => x`, a reshape of
 * it) are kept valid by giving them new storage objects over that memory first; those buffers
 * were never recycled (the plan keeps anything an output may alias).
 */
export function deleteDonated(inputs: readonly ConcreteTensor[], donated: readonly number[], results: ConcreteTensor[]): void {
  for (let i = 0; i < results.length; i++) {
    const data = results[i]!.data;
    for (const slot of donated) {
      if (inputs[slot]!.data === data) {
        results[i] = throughNewStorage(results[i]!);
        break;
      }
    }
  }
  for (const slot of donated) {
    const t = inputs[slot]!;
    if (coversStorage(t)) markStorageDeleted(t.data);
    else markTensorDeleted(t);
  }
}

/**
 * Throw `DeletedArrayError` if an array the program captured as a constant (a closed-over
 * tensor) has since been donated to some jitted call.
 */
export function checkConstantsLive(constants: readonly ConcreteTensor[]): void {
  if (!anyDeleted()) return;
  for (const c of constants) {
    const cause = deletionCause(c);
    if (cause !== null) {
      throw new DeletedArrayError("jit", `${c.dtype} [${c.shape.join(", ")}], captured by the jitted function as a constant`, cause);
    }
  }
}

/**
 * Throw `DeletedArrayError` if an argument of the call is deleted (donated to an earlier call):
 * its memory may hold other values. `jit` checks its arguments before calling, naming their
 * places; this is the executor's own guard, for direct callers of `compile`.
 */
export function checkInputsLive(inputs: readonly ConcreteTensor[]): void {
  if (!anyDeleted()) return;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    const cause = deletionCause(t);
    if (cause !== null) throw new DeletedArrayError("compile", `${t.dtype} [${t.shape.join(", ")}], input ${i} of the compiled program`, cause);
  }
}
