/**
 * Test helpers: hand-built jaxprs for the backend boundary `compile(jaxpr)` (variables with
 * fresh ids, atoms, single-output equations).
 */
import type { Atom, Eqn, Var } from "../../../src/jaxpr.js";
import type { AbstractArray, Primitive } from "../../../src/primitive.js";

let nextId = 0;

/** A variable of a new id, `shape` and `dtype` (float32 by default). */
export const newVar = (shape: readonly number[], dtype: AbstractArray["dtype"] = "float32"): Var => ({ id: nextId++, aval: { shape: [...shape], dtype, weakType: false } });

/** The atom reading variable `x`. */
export const v = (x: Var): Atom => ({ kind: "var", v: x });

/** An equation of `prim` reading `inputs` and writing `out`. */
export const eqn = (prim: Primitive, inputs: readonly Var[], out: Var, params: unknown = {}): Eqn => ({ prim, params, inputs: inputs.map(v), outputs: [out] });
