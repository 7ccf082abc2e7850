import { ValueError } from "../errors.js";

/**
 * Serialised leaves that do not fit the tree they are loaded into: a missing or extra tensor,
 * or a tensor whose shape or dtype differs from the corresponding leaf of `like`. Also raised
 * when a tree cannot be written (a traced leaf, two leaves whose names collide).
 *
 * @example
 * try { tree.deserialiseLeaves({ w: np.zeros([3]) }, tree.serialiseLeaves({ w: np.zeros([2]) })); } catch (e) { e instanceof SerialisationError; } // true
 */
export class SerialisationError extends ValueError {}

/**
 * Bytes that are not a well-formed safetensors file: truncated, a header that is not JSON or
 * not UTF-8, an unknown dtype, offsets that overlap, leave gaps or point past the end, a byte
 * count that does not match a tensor's shape, a bool byte other than 0 or 1.
 *
 * @example
 * try { tree.deserialiseLeaves(like, bytes.subarray(0, 10)); } catch (e) { e instanceof CorruptFileError; } // true
 */
export class CorruptFileError extends SerialisationError {}
