import { GELU_FAST } from "../gelu_fast.js";
import { ROUNDING } from "../exp_poly.js";
import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";

/**
 * Generates the WebAssembly SIMD128 kernels of GELU's tanh approximation over float32 arrays:
 * `gelu_f32(src, dst, pairs)` and `gelu_derivative_f32(src, dst, pairs)` read `2 · pairs`
 * float32 values (`pairs` a multiple of {@link GELU_GROUPS}) at byte address `src`, compute each in float64 (two lanes at a time) exactly
 * as `geluTanhF32` / `geluTanhDerivativeF32` in `gelu_fast.ts` do, operation for operation, and
 * store the results rounded to float32 at `dst`. `gelu_both_f32(src, dst, dst2, pairs)` stores
 * both, the values at `dst` and the derivatives at `dst2`, from one evaluation of the shared
 * part (`σ(2u)` and its exp): the same bits as the two kernels, for about the cost of one.
 */

/** What a kernel stores: GELU's values, its derivatives, or both. */
type GeluOutputs = "value" | "derivative" | "both";

/** Pairs of values computed per loop iteration (the kernels' `pairs` must be a multiple of it). */
export const GELU_GROUPS = 8;
const GROUPS = GELU_GROUPS;

/**
 * The module binary exporting both kernels.
 * Example: `new WebAssembly.Module(geluModuleBytes({ module: "env", name: "memory", minPages: 1 }))`.
 */
export function geluModuleBytes(memory: MemoryImport): Uint8Array {
  return encodeModule(memory, [geluKernel("gelu_f32", "value"), geluKernel("gelu_derivative_f32", "derivative"), geluKernel("gelu_both_f32", "both")]);
}

function geluKernel(name: string, outputs: GeluOutputs): FunctionBuilder {
  const f = new FunctionBuilder(name);
  const src = f.param("i32");
  const dst = f.param("i32");
  const dst2 = outputs === "both" ? f.param("i32") : -1;
  const pairs = f.param("i32");
  const c = f.code;
  const vec = () => f.local("v128");
  /** A local holding `value` in both f64 lanes. */
  const constant = (value: number) => {
    const l = vec();
    c.f64Const(value).f64x2Splat().localSet(l);
    return l;
  };
  const k1 = constant(GELU_FAST.k1);
  const k2 = constant(GELU_FAST.k2);
  const d1 = constant(GELU_FAST.d1);
  const d2 = constant(GELU_FAST.d2);
  const zMin = constant(GELU_FAST.zMin);
  const zMax = constant(GELU_FAST.zMax);
  const log2e = constant(GELU_FAST.log2e);
  const ln2 = constant(GELU_FAST.ln2);
  const one = constant(1);
  const rounding = constant(ROUNDING);
  // 1023 in both 64-bit lanes: the exponent bias.
  const bias = vec();
  c.i32Const(1023).i32x4Splat().i64x2ExtendLowI32x4S().localSet(bias);
  const taylor = GELU_FAST.taylor.map(constant);
  // GROUPS independent pairs per iteration, their operations interleaved: one pair is a chain
  // of ~45 dependent operations, and interleaving lets the CPU overlap the chains.
  const groups = Array.from({ length: GROUPS }, () => ({ v: vec(), x2: vec(), z: vec(), t: vec(), k: vec(), fr: vec(), p: vec(), e: vec(), s: vec() }));
  const each = (emit: (g: (typeof groups)[number], at: number) => void) => groups.forEach((g, i) => emit(g, 8 * i));

  c.block().loop();
  c.localGet(pairs).i32Eqz().brIf(1);
  // v = two float32 inputs widened; x2 = v·v; z = v·(k1 + k2·x2)
  each((g, at) => c.localGet(src).v128Load64Zero(at).f64x2PromoteLowF32x4().localSet(g.v));
  each((g) => c.localGet(g.v).localGet(g.v).f64x2Mul().localSet(g.x2));
  each((g) => c.localGet(g.v).localGet(k1).localGet(k2).localGet(g.x2).f64x2Mul().f64x2Add().f64x2Mul().localSet(g.z));
  // t = clamp(z)·log2e; k = t rounded to an integer; fr = (t − k)·ln2
  each((g) => c.localGet(g.z).localGet(zMin).f64x2Max().localGet(zMax).f64x2Min().localGet(log2e).f64x2Mul().localSet(g.t));
  // r = t + 1.5·2^52 (kept in g.k for now), k = r − 1.5·2^52: t rounded to an integer, ties to
  // even, as the scalar code computes it.
  each((g) => c.localGet(g.t).localGet(rounding).f64x2Add().localSet(g.k));
  each((g) => c.localGet(g.k).localGet(rounding).f64x2Sub().localSet(g.fr));
  each((g) => c.localGet(g.t).localGet(g.fr).f64x2Sub().localGet(ln2).f64x2Mul().localSet(g.fr));
  // p = Horner over 1/j!, from j = 10 down to 0
  each((g) => c.localGet(taylor[10]!).localSet(g.p));
  for (let j = 9; j >= 0; j--) each((g) => c.localGet(g.p).localGet(g.fr).f64x2Mul().localGet(taylor[j]!).f64x2Add().localSet(g.p));
  // e = p · 2^k, the power of two built from its exponent bits: (k + 1023) << 52. r's bits are
  // 1.5·2^52's plus k, and 1.5·2^52's low twelve bits are zero, so (bits(r) + 1023) << 52 is it.
  each((g) => {
    c.localGet(g.p);
    c.localGet(g.k).localGet(bias).i64x2Add().i32Const(52).i64x2Shl();
    c.f64x2Mul().localSet(g.e);
  });
  // s = 1 / (1 + e), zeroed where z > zMax
  each((g) => {
    c.localGet(one).localGet(one).localGet(g.e).f64x2Add().f64x2Div();
    c.localGet(g.z).localGet(zMax).f64x2Gt().v128AndNot().localSet(g.s);
  });
  const storeValue = (to: number) =>
    each((g, at) => {
      c.localGet(to);
      c.localGet(g.v).localGet(g.s).f64x2Mul();
      c.f32x4DemoteF64x2Zero().v128Store64Lane(0, at);
    });
  const storeDerivative = (to: number) =>
    each((g, at) => {
      c.localGet(to);
      // s + ((v · (d1 + d2·x2)) · (e·s)) · s
      c.localGet(g.s);
      c.localGet(g.v).localGet(d1).localGet(d2).localGet(g.x2).f64x2Mul().f64x2Add().f64x2Mul();
      c.localGet(g.e).localGet(g.s).f64x2Mul().f64x2Mul();
      c.localGet(g.s).f64x2Mul().f64x2Add();
      c.f32x4DemoteF64x2Zero().v128Store64Lane(0, at);
    });
  if (outputs === "value") storeValue(dst);
  else if (outputs === "derivative") storeDerivative(dst);
  else {
    storeValue(dst);
    storeDerivative(dst2);
  }
  c.localGet(src).i32Const(8 * GROUPS).i32Add().localSet(src);
  c.localGet(dst).i32Const(8 * GROUPS).i32Add().localSet(dst);
  if (outputs === "both") c.localGet(dst2).i32Const(8 * GROUPS).i32Add().localSet(dst2);
  c.localGet(pairs).i32Const(GROUPS).i32Sub().localSet(pairs);
  c.br(0);
  c.end().end();
  c.end();
  return f;
}
