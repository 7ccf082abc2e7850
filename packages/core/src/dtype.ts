import { DTypeError } from "./errors.js";

/** The element types a tensor can hold. `float32` is the default, as in JAX. */
export type DType = "float32" | "float64" | "int32" | "uint32" | "bool";

/**
 * Every dtype, from the lowest to the highest in the promotion order.
 *
 * @example
 * DTYPES.includes("float64"); // true
 */
export const DTYPES: readonly DType[] = ["bool", "uint32", "int32", "float32", "float64"];

/** The typed arrays that store tensor data, one per dtype (one per dtype; `bool` is stored as 0/1 bytes). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

/**
 * Whether `x` is the name of a supported dtype.
 *
 * @example
 * isDType("int32"); // true
 * isDType("int64"); // false
 */
export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

/**
 * `x` as a dtype, or a `DTypeError` naming `where` and the unknown value.
 *
 * @example
 * assertDType("float32", "np.zeros"); // "float32"
 * assertDType("float16", "np.zeros"); // throws DTypeError: np.zeros: unknown dtype "float16"; ...
 */
export function assertDType(x: unknown, where: string): DType {
  if (!isDType(x)) throw new DTypeError(`${where}: unknown dtype ${JSON.stringify(x)}; expected one of ${DTYPES.join(", ")}`);
  return x;
}

/**
 * Whether `d` is a floating-point dtype (float32, float64).
 *
 * @example
 * isFloat("float64"); // true
 */
export const isFloat = (d: DType): boolean => d === "float32" || d === "float64";
/**
 * Whether `d` is an integer dtype (int32, uint32; bool is not).
 *
 * @example
 * isInteger("uint32"); // true
 */
export const isInteger = (d: DType): boolean => d === "int32" || d === "uint32";
/**
 * Whether `d` is an unsigned integer dtype (uint32).
 *
 * @example
 * isUnsigned("int32"); // false
 */
export const isUnsigned = (d: DType): boolean => d === "uint32";
/**
 * Whether `d` is the boolean dtype.
 *
 * @example
 * isBool("bool"); // true
 */
export const isBool = (d: DType): boolean => d === "bool";

/**
 * The dtype of a typed array's contents (Uint8Array is read as bool).
 *
 * @example
 * dtypeOfTypedArray(new Int32Array(2)); // "int32"
 */
export function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint32Array) return "uint32";
  return "bool";
}

/**
 * A value's type as promotion sees it: its dtype and whether it is weakly typed.
 * Promotion follows JAX's lattice restricted to our dtypes. Weakly typed values (plain JS
 * numbers) take the other operand's dtype whenever their kind allows it:
 * `float32 tensor * 2` stays float32, `int32 tensor * 2.5` becomes float32,
 * `uint32 tensor + 1` stays uint32.
 */
export interface TypeInfo {
  /** The element type. */
  dtype: DType;
  /** Whether the value is weakly typed (came from a plain JS number). */
  weakType: boolean;
}

const KIND_RANK: Record<DType, number> = { bool: 0, uint32: 1, int32: 1, float32: 2, float64: 2 };

function promoteStrong(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === "bool") return b;
  if (b === "bool") return a;
  if (isFloat(a) && isFloat(b)) return "float64";
  if (isFloat(a)) return a;
  if (isFloat(b)) return b;
  // int32 with uint32: JAX promotes to int64; without 64-bit ints we follow jax_enable_x64=False, which gives int32.
  return "int32";
}

/**
 * Promote two operands' types, honouring weak types as JAX does.
 *
 * @example
 * promoteTypes({ dtype: "int32", weakType: false }, { dtype: "float32", weakType: true });
 * // { dtype: "float32", weakType: false }
 */
export function promoteTypes(a: TypeInfo, b: TypeInfo): TypeInfo {
  if (a.weakType && b.weakType) {
    return { dtype: KIND_RANK[a.dtype] >= KIND_RANK[b.dtype] ? a.dtype : b.dtype, weakType: true };
  }
  if (a.weakType || b.weakType) {
    const [weak, strong] = a.weakType ? [a, b] : [b, a];
    if (KIND_RANK[weak.dtype] <= KIND_RANK[strong.dtype]) return { dtype: strong.dtype, weakType: false };
    // A weak float meets an integer or bool tensor: the default float type.
    if (isFloat(weak.dtype)) return { dtype: "float32", weakType: false };
    // A weak int meets a bool tensor.
    return { dtype: "int32", weakType: false };
  }
  return { dtype: promoteStrong(a.dtype, b.dtype), weakType: false };
}

/**
 * The promoted type of any number of operands (`promoteTypes` folded left to right); a
 * `DTypeError` when there are none.
 *
 * @example
 * resultTypeOf({ dtype: "float32", weakType: false }, { dtype: "float64", weakType: false }); // float64
 */
export function resultTypeOf(...infos: TypeInfo[]): TypeInfo {
  if (infos.length === 0) throw new DTypeError("resultType: no operands");
  return infos.reduce(promoteTypes);
}

/**
 * Round a JS number to what the dtype stores (float32 rounding, int truncation and
 * wrap-around with non-finite values as 0, bool as 0/1).
 *
 * @example
 * castScalar(-1.7, "int32");  // -1
 * castScalar(-1, "uint32");   // 4294967295
 */
export function castScalar(x: number, dtype: DType): number {
  switch (dtype) {
    case "float32":
      return Math.fround(x);
    case "float64":
      return x;
    case "int32":
      return Number.isFinite(x) ? Math.trunc(x) | 0 : 0;
    case "uint32":
      return Number.isFinite(x) ? Math.trunc(x) >>> 0 : 0;
    case "bool":
      return x !== 0 && !Number.isNaN(x) ? 1 : 0;
  }
}

/**
 * Bytes per element in the dtype's storage (bool takes one byte).
 *
 * @example
 * itemSize("float64"); // 8
 */
export function itemSize(dtype: DType): number {
  return dtype === "float64" ? 8 : dtype === "bool" ? 1 : 4;
}
