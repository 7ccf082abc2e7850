import type { AbstractArray, Primitive } from "./primitive.js";
import type { ConcreteTensor } from "./tensor.js";

/** A typed variable of the IR. */
export interface Var {
  /** Unique within its jaxpr. */
  readonly id: number;
  /** Its shape, dtype and weak type. */
  readonly aval: AbstractArray;
}

/** An IR operand: a variable or a literal constant captured at trace time. */
export type Atom = { readonly kind: "var"; readonly v: Var } | { readonly kind: "const"; readonly value: ConcreteTensor };

/** One primitive application: `outputs = prim[params](inputs)`. */
export interface Eqn {
  /** The primitive applied. */
  readonly prim: Primitive;
  /** Its parameters (as given to `bind`). */
  readonly params: unknown;
  /** The operands. */
  readonly inputs: readonly Atom[];
  /** The variables the results are bound to. */
  readonly outputs: readonly Var[];
}

/**
 * A traced function as straight-line code over primitives (JAX's "jaxpr"): typed input
 * variables, equations in execution order, and output atoms.
 */
export interface Jaxpr {
  /** The inputs: one variable per traced argument leaf. */
  readonly inVars: readonly Var[];
  /** The equations, in execution order. */
  readonly eqns: readonly Eqn[];
  /** The outputs: one atom per output leaf. */
  readonly outs: readonly Atom[];
}

/**
 * The abstract values of an equation's operands (a constant's is itself), as the primitive's
 * lowering facts take them.
 * Example: `e.prim.unfusedFor?.(operandAvals(e), e.params)`.
 */
export function operandAvals(e: Eqn): AbstractArray[] {
  return e.inputs.map((a) => (a.kind === "var" ? a.v.aval : a.value));
}

const DTYPE_SHORT: Record<string, string> = { float32: "f32", float64: "f64", int32: "i32", uint32: "u32", bool: "bool" };

function varName(id: number): string {
  // a, b, ..., z, ba, bb, ... as JAX prints them.
  let s = "";
  let n = id;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

function typeOf(aval: AbstractArray): string {
  return `${DTYPE_SHORT[aval.dtype] ?? aval.dtype}[${aval.shape.join(",")}]`;
}

function formatParam(v: unknown): string {
  if (Array.isArray(v)) return `(${v.map(formatParam).join(",")}${v.length === 1 ? "," : ""})`;
  if (v === null || v === undefined) return "None";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function formatConst(t: ConcreteTensor): string {
  if (t.size === 1) return `${t.item()}:${typeOf(t)}`;
  return `const:${typeOf(t)}`;
}

/**
 * JAX-style text of a jaxpr:
 * `{ lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[] = reduce_sum[axes=(0,)] b in (c,) }`.
 *
 * @example
 * formatJaxpr(makeJaxpr((x) => np.sum(np.sin(x)))(np.zeros([3])));
 */
export function formatJaxpr(jaxpr: Jaxpr): string {
  const names = new Map<number, string>();
  let next = 0;
  const name = (v: Var) => {
    let n = names.get(v.id);
    if (n === undefined) {
      n = varName(next++);
      names.set(v.id, n);
    }
    return n;
  };
  const atom = (a: Atom) => (a.kind === "var" ? name(a.v) : formatConst(a.value));
  const ins = jaxpr.inVars.map((v) => `${name(v)}:${typeOf(v.aval)}`).join(" ");
  const lines = jaxpr.eqns.map((e) => {
    const outs = e.outputs.map((v) => `${name(v)}:${typeOf(v.aval)}`).join(" ");
    const params = Object.entries((e.params ?? {}) as Record<string, unknown>);
    const p = params.length ? `[${params.map(([k, v]) => `${k}=${formatParam(v)}`).join(" ")}]` : "";
    return `    ${outs} = ${e.prim.name}${p} ${e.inputs.map(atom).join(" ")}`;
  });
  const outs = jaxpr.outs.map(atom).join(", ");
  return `{ lambda ; ${ins}. let\n${lines.join("\n")}\n  in (${outs}${jaxpr.outs.length === 1 ? "," : ""}) }`;
}
