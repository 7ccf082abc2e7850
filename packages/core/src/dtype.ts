import { DTypeError } from "./errors.js";

/** The element types a tensor can hold. `float32` is the default, as in JAX. */
export type DType = "float32" | "float64" | "int32" | "uint32" | "bool";

export const DTYPES: readonly DType[] = ["bool", "uint32", "int32", "float32", "float64"];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

/** The typed array constructor that stores a dtype (bool is stored as 0/1 bytes). */
export function typedArrayFor(dtype: DType): { new (n: number): TypedArray; new (data: ArrayLike<number>): TypedArray } {
  switch (dtype) {
    case "float32":
      return Float32Array;
    case "float64":
      return Float64Array;
    case "int32":
      return Int32Array;
    case "uint32":
      return Uint32Array;
    case "bool":
      return Uint8Array;
  }
}

export function allocate(dtype: DType, size: number): TypedArray {
  return new (typedArrayFor(dtype))(size);
}

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function assertDType(x: unknown, where: string): DType {
  if (!isDType(x)) throw new DTypeError(`${where}: unknown dtype ${JSON.stringify(x)}; expected one of ${DTYPES.join(", ")}`);
  return x;
}

export const isFloat = (d: DType): boolean => d === "float32" || d === "float64";
export const isInteger = (d: DType): boolean => d === "int32" || d === "uint32";
export const isUnsigned = (d: DType): boolean => d === "uint32";
export const isBool = (d: DType): boolean => d === "bool";

/** The dtype of a typed array's contents (Uint8Array is read as bool). */
export function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint32Array) return "uint32";
  return "bool";
}

/**
 * JAX's type promotion lattice restricted to our dtypes. Weakly typed values (plain JS
 * numbers) take the other operand's dtype whenever their kind allows it:
 * `float32 tensor * 2` stays float32, `int32 tensor * 2.5` becomes float32,
 * `uint32 tensor + 1` stays uint32.
 */
export interface TypeInfo {
  dtype: DType;
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

/** Promote two operands' types, honouring weak types as JAX does. */
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

export function resultTypeOf(...infos: TypeInfo[]): TypeInfo {
  if (infos.length === 0) throw new DTypeError("resultType: no operands");
  return infos.reduce(promoteTypes);
}

/** Round a JS number to what the dtype stores (float32 rounding, int wrap-around, bool). */
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

export function itemSize(dtype: DType): number {
  return dtype === "float64" ? 8 : dtype === "bool" ? 1 : 4;
}
