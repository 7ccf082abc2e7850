/**
 * `tree`: pytree utilities. Plain objects, arrays, Maps, `Module`s, registered node types and
 * `null`/`undefined` are nodes; tensors, numbers and every other value are leaves.
 */
export {
  flatten,
  unflatten,
  map,
  leaves,
  structure,
  flattenUpTo,
  leavesWithPath,
  formatPath,
  type IsLeaf,
  type FlattenOptions,
  type FlattenUpToOptions,
  type MapOptions,
  type PathEntry,
} from "./tree.js";
export { TreeDef } from "./treedef.js";
export { registerNode, isRegisteredNode, type NodeDefinition } from "./registry.js";
export { staticKey, staticEquals, staticCertainlyEqual } from "./static_key.js";
export { TreeStructureError } from "./structure_error.js";
export { serialiseLeaves, deserialiseLeaves, serialisedMetadata, leafName, type SerialiseOptions, type DeserialiseOptions } from "./serialise.js";
export { encodeSafetensors, decodeSafetensors, readSafetensorsMetadata, METADATA_KEY, type NamedArray, type SafetensorsContents } from "./safetensors.js";
export { SerialisationError, CorruptFileError } from "./serialisation_error.js";
