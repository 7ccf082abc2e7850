/**
 * Deleted arrays: tensors whose storage was donated to a jitted call and may since have been
 * reused for other values. A tensor is deleted when its own object is marked (a donated view
 * of part of a larger buffer: only that view is invalid) or when its storage `TypedArray` is
 * (a donated tensor that covers its whole buffer: every view over it, made by reshape,
 * transpose or slicing, shares that object and is deleted with it). Reused storage always
 * comes back from the allocator as a new `TypedArray` object over the same memory, so the
 * marks never reach the tensors that reuse it.
 *
 * Checked where values are read: `bind` (every eager primitive), the jit call's arguments, and
 * `ConcreteTensor`'s readers. While nothing was ever donated, a check is one comparison.
 */
/** Deleted tensors and deleted storage arrays. */
const deleted = new WeakSet<object>();
/** How many marks were ever made: zero means no check needs the set. */
let marks = 0;

/** Whether anything was ever deleted (so checks can be skipped while nothing was). */
export function anyDeleted(): boolean {
  return marks !== 0;
}

/** Mark a storage array deleted: every tensor over it is deleted. */
export function markStorageDeleted(storage: object): void {
  deleted.add(storage);
  marks++;
}

/** Mark one tensor object deleted (its storage and other views over it stay valid). */
export function markTensorDeleted(tensor: object): void {
  deleted.add(tensor);
  marks++;
}

/** Whether a concrete tensor is deleted (its object or its storage array marked). */
export function isDeletedTensor(tensor: { readonly nd: { readonly data: object } }): boolean {
  return marks !== 0 && (deleted.has(tensor.nd.data) || deleted.has(tensor));
}
