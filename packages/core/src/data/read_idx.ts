/**
 * `readIdx`: tensors from the IDX format (Yann LeCun's format of the MNIST files).
 *
 * Layout: two zero bytes, a type code, the number of dimensions `d`, then `d` big-endian
 * uint32 sizes, then the values in row-major order, big-endian. Pure byte parsing (a
 * `DataView`), so it runs in browsers: read the file however the platform allows
 * (`fs.readFileSync`, `fetch(...).arrayBuffer()`) and pass the bytes. Gzipped files must be
 * decompressed first.
 */
import { assertDType, isFloat, isInteger, type DType } from "../dtype.js";
import { ValueError } from "../errors.js";
import { ConcreteTensor } from "../tensor.js";
import { convertTo } from "../primitives/convert.js";
import { CorruptFileError } from "../tree/serialisation_error.js";

/** Options of `readIdx`. */
export interface ReadIdxOptions {
  /**
   * Convert the values to this dtype while reading (default: the type code's dtype, see
   * `readIdx`). `{ dtype: "float32" }` reads MNIST images straight to floats without an int32
   * copy of the whole file.
   */
  dtype?: DType;
}

/** An IDX type code: its name, bytes per value, the dtype it reads as, and how to read one value. */
interface IdxType {
  readonly name: string;
  readonly bytes: number;
  readonly dtype: DType;
  readonly read: (view: DataView, offset: number) => number;
}

/** The type codes of the format. Integers read as int32 (every one fits), floats as themselves. */
const IDX_TYPES: ReadonlyMap<number, IdxType> = new Map<number, IdxType>([
  [0x08, { name: "unsigned byte", bytes: 1, dtype: "int32", read: (v, o) => v.getUint8(o) }],
  [0x09, { name: "signed byte", bytes: 1, dtype: "int32", read: (v, o) => v.getInt8(o) }],
  [0x0b, { name: "short", bytes: 2, dtype: "int32", read: (v, o) => v.getInt16(o, false) }],
  [0x0c, { name: "int", bytes: 4, dtype: "int32", read: (v, o) => v.getInt32(o, false) }],
  [0x0d, { name: "float", bytes: 4, dtype: "float32", read: (v, o) => v.getFloat32(o, false) }],
  [0x0e, { name: "double", bytes: 8, dtype: "float64", read: (v, o) => v.getFloat64(o, false) }],
]);

const hex = (b: number) => `0x${b.toString(16).padStart(2, "0")}`;

function typedArrayOf(dtype: DType, length: number): Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array {
  switch (dtype) {
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
    case "int32":
      return new Int32Array(length);
    case "uint32":
      return new Uint32Array(length);
    case "bool":
      return new Uint8Array(length);
  }
}

/**
 * A tensor from the bytes of an IDX file (MNIST's `train-images-idx3-ubyte` gives int32
 * `[60000, 28, 28]`, `train-labels-idx1-ubyte` int32 `[60000]`). Shape from the header; dtype
 * from the type code: unsigned byte (0x08), signed byte (0x09), short (0x0B) and int (0x0C) read
 * as int32 (core has no 8- or 16-bit dtypes; every value fits), float (0x0D) as float32, double
 * (0x0E) as float64 — or `options.dtype`, converting while reading. Throws `CorruptFileError`
 * (naming what is wrong and the byte counts) for a bad magic number, an unknown type code, or a
 * file shorter or longer than its header says; `ValueError` when `bytes` is not a `Uint8Array`.
 *
 * @example
 * const labels = data.readIdx(readFileSync("train-labels-idx1-ubyte")); // int32 [60000]
 * const images = data.readIdx(readFileSync("train-images-idx3-ubyte"), { dtype: "float32" }); // [60000, 28, 28]
 */
export function readIdx(bytes: Uint8Array, options: ReadIdxOptions = {}): ConcreteTensor {
  const op = "data.readIdx";
  if (!(bytes instanceof Uint8Array)) {
    throw new ValueError(`${op}: expected the file's bytes as a Uint8Array (a Node Buffer is one), got ${bytes === null ? "null" : typeof bytes === "object" ? Object.prototype.toString.call(bytes) : typeof bytes}`);
  }
  if (typeof options !== "object" || options === null) throw new ValueError(`${op}: options must be an object like { dtype }, got ${String(options)}`);
  for (const name of Object.keys(options)) if (name !== "dtype") throw new ValueError(`${op}: unknown option "${name}" (expected dtype)`);
  if (bytes.length < 4) throw new CorruptFileError(`${op}: truncated file: ${bytes.length} bytes, but the IDX magic number alone takes 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new CorruptFileError(`${op}: not an IDX file: the magic number must start with two zero bytes, got ${hex(bytes[0]!)} ${hex(bytes[1]!)} (a gzipped file starts with 0x1f 0x8b: decompress it first)`);
  }
  const code = bytes[2]!;
  const type = IDX_TYPES.get(code);
  if (type === undefined) {
    throw new CorruptFileError(`${op}: unknown IDX type code ${hex(code)}; expected one of ${[...IDX_TYPES].map(([c, t]) => `${hex(c)} (${t.name})`).join(", ")}`);
  }
  const ndim = bytes[3]!;
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new CorruptFileError(`${op}: truncated header: ${ndim} dimensions need ${headerBytes} header bytes, the file has ${bytes.length}`);
  }
  const shape: number[] = [];
  let size = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    shape.push(n);
    size *= n;
  }
  const expected = headerBytes + size * type.bytes;
  if (bytes.length !== expected) {
    throw new CorruptFileError(
      `${op}: ${bytes.length < expected ? "truncated" : "corrupt"} file: the header says ${type.name} values of shape [${shape.join(", ")}] (${expected} bytes in all), the file has ${bytes.length} bytes`,
    );
  }
  const dtype = options.dtype === undefined ? type.dtype : assertDType(options.dtype, op);
  if (dtype === "bool" || (isInteger(dtype) && isFloat(type.dtype))) {
    // Conversions that are not plain assignments (nonzero test, rounding toward zero with
    // saturation) go through `convert_element_type`, as `np.astype` would.
    return convertTo(readIdx(bytes), dtype).concrete();
  }
  const out = typedArrayOf(dtype, size);
  // Unsigned bytes (MNIST) are one native copy; other codes are read one value at a time.
  if (code === 0x08) out.set(bytes.subarray(headerBytes));
  else for (let i = 0, o = headerBytes; i < size; i++, o += type.bytes) out[i] = type.read(view, o);
  return ConcreteTensor.fromData(out, shape, dtype);
}
