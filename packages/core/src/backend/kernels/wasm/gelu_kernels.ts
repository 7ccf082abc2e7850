import { GELU_FAST } from "../gelu_fast.js";
import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";

/**
 * Generates the WebAssembly SIMD128 kernels of GELU's tanh approximation over float32 arrays:
 * `gelu_f32(src, dst, count)` and `gelu_derivative_f32(src, dst, count)` read `count` float32
 * values (a multiple of {@link GELU_LANES}) at byte address `src`, compute each exactly as
 * `geluTanhF32` / `geluTanhDerivativeF32` in `gelu_fast.ts` do, float32 operation for float32
 * operation, four lanes at a time, and store the results at `dst`.
 * `gelu_both_f32(src, dst, dst2, count)` stores both, the values at `dst` and the derivatives at
 * `dst2`, from one evaluation of the shared part (`σ(2u)` and its exp): the same bits as the two
 * kernels, for about the cost of one.
 */

/** What a kernel stores: GELU's values, its derivatives, or both. */
type GeluOutputs = "value" | "derivative" | "both";

/**
 * Values computed per loop iteration (the kernels' `count` must be a multiple of it): eight
 * vectors of four lanes, their operations interleaved (one vector's work is a chain of ~40
 * dependent operations; interleaving lets the CPU overlap the chains). Both results over 32,064
 * values, one thread, medians of 30 alternating rounds in one process (2026-12-07 ~21:20 UTC,
 * Zen 3 EPYC): 16 lanes 92.7 and 94.0 µs, 24 81.6 and 82.2, 32 80.6 and 81.2, 48 87.3 and 87.1.
 */
export const GELU_LANES = 32;

/**
 * The module binary exporting the three kernels, each computing `lanes` values per iteration
 * (a multiple of four; the library's are {@link GELU_LANES}).
 * Example: `new WebAssembly.Module(geluModuleBytes({ module: "env", name: "memory", minPages: 1 }))`.
 */
export function geluModuleBytes(memory: MemoryImport, lanes = GELU_LANES): Uint8Array {
  if (!Number.isInteger(lanes / 4) || lanes <= 0) throw new RangeError(`geluModuleBytes: lanes must be a positive multiple of 4, got ${lanes}`);
  return encodeModule(memory, [geluKernel("gelu_f32", "value", lanes), geluKernel("gelu_derivative_f32", "derivative", lanes), geluKernel("gelu_both_f32", "both", lanes)]);
}

function geluKernel(name: string, outputs: GeluOutputs, lanes: number): FunctionBuilder {
  const f = new FunctionBuilder(name);
  const src = f.param("i32");
  const dst = f.param("i32");
  const dst2 = outputs === "both" ? f.param("i32") : -1;
  const count = f.param("i32");
  const c = f.code;
  const vec = () => f.local("v128");
  /** A local holding the float32 `value` in all four lanes. */
  const constant = (value: number) => {
    const l = vec();
    c.f32Const(value).f32x4Splat().localSet(l);
    return l;
  };
  const C = GELU_FAST;
  const k1 = constant(C.k1);
  const k2 = constant(C.k2);
  const d1 = constant(C.d1);
  const d2 = constant(C.d2);
  const xMin = constant(-C.xMax);
  const xMax = constant(C.xMax);
  const zMin = constant(C.zMin);
  const zMax = constant(C.zMax);
  const log2e = constant(C.log2e);
  const ln2Hi = constant(C.ln2Hi);
  const ln2Lo = constant(C.ln2Lo);
  const one = constant(1);
  const rounding = constant(C.rounding);
  // 127 in each 32-bit lane: the exponent bias.
  const bias = vec();
  c.i32Const(127).i32x4Splat().localSet(bias);
  const taylor = C.taylor.map(constant);
  const degree = C.taylor.length - 1;
  const groups = Array.from({ length: lanes / 4 }, () => ({ v: vec(), x: vec(), x2: vec(), z: vec(), r: vec(), k: vec(), fr: vec(), p: vec(), e: vec(), s: vec() }));
  const each = (emit: (g: (typeof groups)[number], at: number) => void) => groups.forEach((g, i) => emit(g, 16 * i));

  c.block().loop();
  c.localGet(count).i32Eqz().brIf(1);
  // v = four inputs; x = v clamped to [-xMax, xMax] (max/min let NaN through, as the scalar
  // comparisons do); x2 = x·x; z = x·(k1 + k2·x2)
  each((g, at) => c.localGet(src).v128Load(at).localSet(g.v));
  each((g) => c.localGet(g.v).localGet(xMin).f32x4Max().localGet(xMax).f32x4Min().localSet(g.x));
  each((g) => c.localGet(g.x).localGet(g.x).f32x4Mul().localSet(g.x2));
  each((g) => c.localGet(g.x).localGet(k1).localGet(k2).localGet(g.x2).f32x4Mul().f32x4Add().f32x4Mul().localSet(g.z));
  // zc = clamp(z) (held in fr for now); r = zc·log2e + 1.5·2^23; k = r − 1.5·2^23 (zc·log2e
  // rounded to an integer, ties to even, as the scalar code computes it)
  each((g) => c.localGet(g.z).localGet(zMin).f32x4Max().localGet(zMax).f32x4Min().localSet(g.fr));
  each((g) => c.localGet(g.fr).localGet(log2e).f32x4Mul().localGet(rounding).f32x4Add().localSet(g.r));
  each((g) => c.localGet(g.r).localGet(rounding).f32x4Sub().localSet(g.k));
  // f = (zc − k·ln2Hi) − k·ln2Lo
  each((g) => c.localGet(g.fr).localGet(g.k).localGet(ln2Hi).f32x4Mul().f32x4Sub().localGet(g.k).localGet(ln2Lo).f32x4Mul().f32x4Sub().localSet(g.fr));
  // p = Horner over 1/j!, from j = 7 down to 0
  each((g) => c.localGet(taylor[degree]!).localSet(g.p));
  for (let j = degree - 1; j >= 0; j--) each((g) => c.localGet(g.p).localGet(g.fr).f32x4Mul().localGet(taylor[j]!).f32x4Add().localSet(g.p));
  // e = p · 2^k, the power of two from its exponent bits (k + 127) << 23. r's bits are
  // 1.5·2^23's plus k, and 1.5·2^23's low nine bits (all that survive the shift) are zero, so
  // (bits(r) + 127) << 23 is it.
  each((g) => {
    c.localGet(g.p);
    c.localGet(g.r).localGet(bias).i32x4Add().i32Const(23).i32x4Shl();
    c.f32x4Mul().localSet(g.e);
  });
  // s = 1 / (1 + e), zeroed where z > zMax
  each((g) => {
    c.localGet(one).localGet(one).localGet(g.e).f32x4Add().f32x4Div();
    c.localGet(g.z).localGet(zMax).f32x4Gt().v128AndNot().localSet(g.s);
  });
  const storeValue = (to: number) =>
    each((g, at) => {
      c.localGet(to);
      c.localGet(g.v).localGet(g.s).f32x4Mul();
      c.v128Store(at);
    });
  const storeDerivative = (to: number) =>
    each((g, at) => {
      c.localGet(to);
      // s + ((x · (d1 + d2·x2)) · (e·s)) · s
      c.localGet(g.s);
      c.localGet(g.x).localGet(d1).localGet(d2).localGet(g.x2).f32x4Mul().f32x4Add().f32x4Mul();
      c.localGet(g.e).localGet(g.s).f32x4Mul().f32x4Mul();
      c.localGet(g.s).f32x4Mul().f32x4Add();
      c.v128Store(at);
    });
  if (outputs === "value") storeValue(dst);
  else if (outputs === "derivative") storeDerivative(dst);
  else {
    storeValue(dst);
    storeDerivative(dst2);
  }
  c.localGet(src).i32Const(4 * lanes).i32Add().localSet(src);
  c.localGet(dst).i32Const(4 * lanes).i32Add().localSet(dst);
  if (outputs === "both") c.localGet(dst2).i32Const(4 * lanes).i32Add().localSet(dst2);
  c.localGet(count).i32Const(lanes).i32Sub().localSet(count);
  c.br(0);
  c.end().end();
  c.end();
  return f;
}
