/**
 * The safetensors file layout (https://github.com/huggingface/safetensors), so that Python
 * (NumPy, PyTorch, JAX) can read what we write and the other way round:
 *
 * ```
 * [8 bytes: N, little-endian u64][N bytes: UTF-8 JSON header, space-padded][raw data]
 * header = { "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ...,
 *            "__metadata__": { "<key>": "<string value>" } }
 * ```
 *
 * Offsets are relative to the start of the data; the tensors' byte ranges tile the data
 * exactly (no gaps, no overlaps), values are little-endian and row-major, bools one byte each.
 * Decoding validates the whole file before building any tensor, so a corrupt file raises a
 * `CorruptFileError` and never yields a partial result.
 */
import { type DType, itemSize, type TypedArray } from "../dtype.js";
import { typedArrayFor } from "../backend/buffers.js";
import { ConcreteTensor, sizeOf } from "../tensor.js";
import { CorruptFileError, SerialisationError } from "./serialisation_error.js";

/** The safetensors spelling of each dtype we store. */
const SAFETENSORS_DTYPE: Readonly<Record<DType, string>> = { float32: "F32", float64: "F64", int32: "I32", uint32: "U32", bool: "BOOL" };
const DTYPE_OF: ReadonlyMap<string, DType> = new Map(Object.entries(SAFETENSORS_DTYPE).map(([d, s]) => [s, d as DType]));

/** The header key that holds the free-form string metadata. */
export const METADATA_KEY = "__metadata__";

/** One tensor to write: a name and its row-major values. */
export interface NamedArray {
  /** The tensor's key in the file header. */
  readonly name: string;
  /** The element type. */
  readonly dtype: DType;
  /** The length of each axis. */
  readonly shape: readonly number[];
  /** Row-major values, `sizeOf(shape)` of them, in the typed array that stores `dtype`. */
  readonly data: TypedArray;
}

/** A decoded file: tensors in header order, and the metadata (empty when absent). */
export interface SafetensorsContents {
  /** The tensors by name, in header order. */
  readonly tensors: ReadonlyMap<string, ConcreteTensor>;
  /** The header's `__metadata__` strings (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Write `data`'s elements little-endian into `out` at byte `offset`. */
function writeLittleEndian(out: Uint8Array, offset: number, dtype: DType, data: TypedArray): void {
  if (HOST_IS_LITTLE_ENDIAN || dtype === "bool") {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + offset);
  const size = itemSize(dtype);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (dtype === "float32") view.setFloat32(i * size, v, true);
    else if (dtype === "float64") view.setFloat64(i * size, v, true);
    else if (dtype === "int32") view.setInt32(i * size, v, true);
    else view.setUint32(i * size, v, true);
  }
}

/** A fresh typed array with the `count` little-endian elements at `bytes[offset...]`. */
function readLittleEndian(bytes: Uint8Array, offset: number, dtype: DType, count: number): TypedArray {
  const Ctor = typedArrayFor(dtype);
  const size = itemSize(dtype);
  if (HOST_IS_LITTLE_ENDIAN || dtype === "bool") {
    // A copy in a new, aligned buffer: the tensor owns its data and later writes to `bytes`
    // cannot reach it. (Uint8Array's own `slice`: a Node Buffer's `slice` is a view.)
    const copy = Uint8Array.prototype.slice.call(bytes, offset, offset + count * size);
    return new (Ctor as unknown as new (b: ArrayBuffer, o: number, n: number) => TypedArray)(copy.buffer, 0, count);
  }
  const out = new Ctor(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
  for (let i = 0; i < count; i++) {
    if (dtype === "float32") out[i] = view.getFloat32(i * size, true);
    else if (dtype === "float64") out[i] = view.getFloat64(i * size, true);
    else if (dtype === "int32") out[i] = view.getInt32(i * size, true);
    else out[i] = view.getUint32(i * size, true);
  }
  return out;
}

/**
 * Encode named arrays and string metadata as a safetensors file. Names must be distinct and
 * must not be `"__metadata__"`. Tensor data is laid out widest dtype first, so that every
 * tensor starts at a multiple of its element size (readers can map it without copying); the
 * header lists tensors in the order given.
 *
 * @example
 * encodeSafetensors([{ name: "w", dtype: "float32", shape: [2], data: new Float32Array([1, 2]) }]); // Uint8Array(...)
 */
export function encodeSafetensors(arrays: readonly NamedArray[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const seen = new Set<string>();
  for (const a of arrays) {
    if (a.name === METADATA_KEY) throw new SerialisationError(`safetensors: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (seen.has(a.name)) throw new SerialisationError(`safetensors: two tensors are named ${JSON.stringify(a.name)}`);
    seen.add(a.name);
    if (a.data.length !== sizeOf(a.shape)) {
      throw new SerialisationError(`safetensors: tensor ${JSON.stringify(a.name)} has ${a.data.length} values for shape [${a.shape.join(", ")}]`);
    }
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new SerialisationError(`safetensors: metadata value ${JSON.stringify(k)} must be a string, got ${typeof v}`);
  }
  // Data order: stable by decreasing element size (8-byte, then 4-byte, then 1-byte values).
  const dataOrder = arrays.map((_, i) => i).sort((i, j) => itemSize(arrays[j]!.dtype) - itemSize(arrays[i]!.dtype) || i - j);
  const offsets = new Array<[number, number]>(arrays.length);
  let dataLength = 0;
  for (const i of dataOrder) {
    const a = arrays[i]!;
    const n = a.data.length * itemSize(a.dtype);
    offsets[i] = [dataLength, dataLength + n];
    dataLength += n;
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  arrays.forEach((a, i) => {
    header[a.name] = { dtype: SAFETENSORS_DTYPE[a.dtype], shape: a.shape.slice(), data_offsets: offsets[i] };
  });
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8; // data starts 8-byte aligned
  const out = new Uint8Array(8 + headerLength + dataLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // space padding, as the reference writer does
  const dataStart = 8 + headerLength;
  arrays.forEach((a, i) => writeLittleEndian(out, dataStart + offsets[i]![0], a.dtype, a.data));
  return out;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

interface HeaderEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, value: unknown): HeaderEntry {
  const bad = (why: string) => new CorruptFileError(`safetensors: tensor ${JSON.stringify(name)}: ${why}`);
  if (!isRecord(value)) throw bad(`expected an object { dtype, shape, data_offsets }, got ${JSON.stringify(value)}`);
  const dtype = typeof value.dtype === "string" ? DTYPE_OF.get(value.dtype) : undefined;
  if (dtype === undefined) {
    throw bad(`unsupported dtype ${JSON.stringify(value.dtype)}; expected one of ${[...DTYPE_OF.keys()].join(", ")}`);
  }
  const shape = value.shape;
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  const offsets = value.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1]) || offsets[1] < offsets[0]) {
    throw bad(`data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
  }
  const expected = sizeOf(shape) * itemSize(dtype);
  if (offsets[1] - offsets[0] !== expected) {
    throw bad(`shape [${shape.join(", ")}] of ${value.dtype} needs ${expected} bytes, but data_offsets ${JSON.stringify(offsets)} span ${offsets[1] - offsets[0]}`);
  }
  return { name, dtype, shape: shape.slice(), begin: offsets[0], end: offsets[1] };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isRecord(value)) throw new CorruptFileError(`safetensors: "${METADATA_KEY}" must be an object of strings, got ${JSON.stringify(value)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new CorruptFileError(`safetensors: "${METADATA_KEY}" value ${JSON.stringify(k)} must be a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

/** The parsed and validated header, and where the data starts. */
function readHeader(bytes: Uint8Array): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) {
    throw new CorruptFileError(`safetensors: expected a Uint8Array, got ${bytes === null ? "null" : typeof bytes}`);
  }
  if (bytes.length < 8) throw new CorruptFileError(`safetensors: truncated: ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8) {
    throw new CorruptFileError(`safetensors: truncated: the header claims ${headerLength} bytes, but only ${bytes.length - 8} follow the length field`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new CorruptFileError(`safetensors: the ${headerLength}-byte header is not valid UTF-8`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CorruptFileError(`safetensors: the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(parsed)) throw new CorruptFileError(`safetensors: the header must be a JSON object, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`);
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value);
    else entries.push(parseEntry(name, value));
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const byOffset = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of byOffset) {
    if (e.begin !== cursor) {
      throw new CorruptFileError(
        e.begin < cursor
          ? `safetensors: tensor ${JSON.stringify(e.name)} overlaps another tensor (it starts at byte ${e.begin}, before byte ${cursor})`
          : `safetensors: a gap in the data: bytes ${cursor}..${e.begin} belong to no tensor (before ${JSON.stringify(e.name)})`,
      );
    }
    cursor = e.end;
  }
  if (cursor !== dataLength) {
    throw new CorruptFileError(
      cursor > dataLength
        ? `safetensors: truncated: the tensors need ${cursor} bytes of data, but the file has ${dataLength}`
        : `safetensors: ${dataLength - cursor} bytes of data after the last tensor belong to no tensor`,
    );
  }
  for (const e of entries) {
    if (e.dtype !== "bool") continue;
    for (let i = dataStart + e.begin; i < dataStart + e.end; i++) {
      if (bytes[i]! > 1) throw new CorruptFileError(`safetensors: tensor ${JSON.stringify(e.name)} is BOOL but holds the byte ${bytes[i]} (expected 0 or 1)`);
    }
  }
  return { entries, metadata, dataStart };
}

/**
 * Decode a safetensors file. Everything is validated before any tensor is built; the
 * tensors own copies of their data (later changes to `bytes` do not reach them). Throws
 * `CorruptFileError` saying what is wrong.
 *
 * @example
 * decodeSafetensors(bytes).tensors.get("w")!.toArray(); // [1, 2]
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  const { entries, metadata, dataStart } = readHeader(bytes);
  const tensors = new Map<string, ConcreteTensor>();
  for (const e of entries) {
    const data = readLittleEndian(bytes, dataStart + e.begin, e.dtype, sizeOf(e.shape));
    tensors.set(e.name, ConcreteTensor.fromData(data, e.shape, e.dtype));
  }
  return { tensors, metadata };
}

/**
 * Only the metadata of a safetensors file (the whole file is still validated).
 *
 * @example
 * readSafetensorsMetadata(encodeSafetensors([], { format: "demo" })); // { format: "demo" }
 */
export function readSafetensorsMetadata(bytes: Uint8Array): Readonly<Record<string, string>> {
  return readHeader(bytes).metadata;
}
