/**
 * Deleted arrays: tensors whose storage was donated to a jitted call, or deleted by their
 * `delete()`, and may since have been reused for other values. A tensor is deleted when its own object is marked (a donated view
 * of part of a larger buffer: only that view is invalid) or when its storage `TypedArray` is
 * (a donated tensor that covers its whole buffer: every view over it, made by reshape,
 * transpose or slicing, shares that object and is deleted with it). Reused storage always
 * comes back from the allocator as a new `TypedArray` object over the same memory, so the
 * marks never reach the tensors that reuse it.
 *
 * Checked where values are read: `bind` (every eager primitive), the jit call's arguments, and
 * `ConcreteTensor`'s readers. While nothing was ever donated, a check is one comparison.
 */
/**
 * The mark of a deleted storage array: a property under a symbol of this module, set on the
 * array object itself. A training step deletes every donated leaf on each call (22 arrays per
 * call in the MNIST step), and a `WeakSet` that grows by as many entries a call cost ~1 µs per
 * entry there (20-22 µs per call, measured 2026-12-06), against ~0.05 µs for the property.
 * Deleted arrays are never read again (reads throw), so the new hidden class of a marked array
 * reaches no kernel.
 */
const DELETED = Symbol("connex.deleted");
/** Deleted tensor objects (views of part of a larger buffer: rare, and frozen objects), with why. */
const deletedTensors = new WeakMap<object, DeletionCause>();

/** Why an array was deleted: donated to a jitted call, or deleted by its `delete()`. */
export type DeletionCause = "donated" | "deleted";
/** How many marks were ever made: zero means no check needs to look. */
let marks = 0;
/** How many tensor objects were ever marked: zero means no check needs the set. */
let tensorMarks = 0;

/** Whether anything was ever deleted (so checks can be skipped while nothing was). */
export function anyDeleted(): boolean {
  return marks !== 0;
}

/** Mark a storage array deleted: every tensor over it is deleted (the first cause stays). */
export function markStorageDeleted(storage: object, cause: DeletionCause = "donated"): void {
  const marked = storage as { [DELETED]?: DeletionCause };
  marked[DELETED] ??= cause;
  marks++;
}

/** Mark one tensor object deleted (its storage and other views over it stay valid; the first cause stays). */
export function markTensorDeleted(tensor: object, cause: DeletionCause = "donated"): void {
  if (!deletedTensors.has(tensor)) deletedTensors.set(tensor, cause);
  marks++;
  tensorMarks++;
}

/** Why a concrete tensor is deleted (its object or its storage array marked), or null while it is not. */
export function deletionCause(tensor: { readonly data: object }): DeletionCause | null {
  if (marks === 0) return null;
  return (tensor.data as { [DELETED]?: DeletionCause })[DELETED] ?? (tensorMarks !== 0 ? (deletedTensors.get(tensor) ?? null) : null);
}

/** Whether a concrete tensor is deleted (its object or its storage array marked). */
export function isDeletedTensor(tensor: { readonly data: object }): boolean {
  return deletionCause(tensor) !== null;
}

/**
 * Whether a tensor's view covers its whole storage (every element once: no broadcast axis, as
 * many elements as the buffer). Only then is the buffer its own to give back (to a jitted call
 * it is donated to, or by `delete()`): a slice of a larger array is deleted alone and its
 * buffer left to its owner.
 */
export function coversStorage(t: { readonly data: { readonly length: number }; readonly size: number; readonly shape: readonly number[]; readonly stride: readonly number[] }): boolean {
  if (t.size !== t.data.length) return false;
  for (let i = 0; i < t.shape.length; i++) if (t.stride[i] === 0 && t.shape[i]! > 1) return false;
  return true;
}
