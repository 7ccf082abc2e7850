import { ConcreteTensor, DeletedArrayError, Tensor, Tracer, tree, ValueError } from "@connex/core";
import { currentDepth, withNewTrace } from "../trace_stack.js";
import { compile, deletionCause, formatJaxpr, type Atom, type Executable, type Jaxpr } from "@connex/core/internal";
import { argnumsOption, checkJitOptions as checkOptions, donateArgnumsOption, donateModeOption, donatesArgnums, donatesMode, type DonateMode, type Donates } from "./argnums.js";
import { checkDonatedLeaves, placeText, type LeafPlace } from "./donation.js";
import { JitTrace, JitTracer } from "./jit_trace.js";
import { optimize } from "./optimize.js";

export type { DonateMode } from "./argnums.js";

/** Options of `jit`. */
export interface JitOptions {
  /** Positional arguments treated as static: part of the cache key, passed to `f` as they are. */
  staticArgnums?: number | readonly number[];
  /**
   * Positional arguments donated to the call (JAX's `donate_argnums`): their array leaves are
   * deleted by each call (using them afterwards throws `DeletedArrayError`), and their buffers
   * may be reused for the call's results. Donate what the caller drops after the call, such as
   * the parameters and optimiser state a training step replaces.
   */
  donateArgnums?: number | readonly number[];
}

/** Options of `makeJaxpr`. */
export interface MakeJaxprOptions {
  /** Positional arguments treated as static (see {@link JitOptions}). */
  staticArgnums?: number | readonly number[];
}

/** Options of `filterJit`. */
export interface FilterJitOptions {
  /**
   * Equinox's `donate`: `"none"` (the default), `"all"` (every array leaf of every argument is
   * donated, see {@link JitOptions.donateArgnums}) or `"all-except-first"` (all but the first
   * argument's, e.g. a model that is not replaced by the call).
   */
  donate?: DonateMode;
}

/** How one argument leaf enters the traced function. */
type LeafRole = { kind: "traced"; weakNumber: boolean } | { kind: "static" };

interface Compiled {
  readonly jaxpr: Jaxpr;
  readonly run: Executable;
  readonly outDef: ReturnType<typeof tree.flatten>[1];
  /** Per output leaf: index into the jaxpr outputs, or a static (non-array) value. */
  readonly outLeaves: ({ out: number } | { value: unknown })[];
}

interface Prepared {
  /** The call's signature (keyed with `signatureKey` only when the fast check fails). */
  signature: readonly ArgSig[];
  /** Traced leaves as concrete tensors, in order. */
  traced: ConcreteTensor[];
  /** Per traced leaf, whether the call donates it (null: none is). */
  donated: boolean[] | null;
  /** Per traced leaf, where it came from (only with donation: for its error messages). */
  places: LeafPlace[];
  /** Rebuild the argument list from (possibly traced) values for the traced leaves. */
  rebuild: (tracedValues: Tensor[]) => unknown[];
}

/**
 * A traced function with its cache of compiled signatures.
 *
 * @typeParam F - the type of the function that was jitted; calls keep its parameters and result.
 */
export interface JittedFunction<F extends (...args: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** The number of distinct signatures traced so far (retracing shows up here). */
  readonly cacheSize: number;
  /** The jaxpr traced for these arguments. */
  lower(...args: Parameters<F>): Jaxpr;
}

function staticKeyOf(x: unknown): string {
  return tree.staticKey(x);
}

/** What the signature records of one argument leaf. */
type LeafSig =
  | { readonly t: "tensor"; readonly dtype: string; readonly weak: boolean; readonly shape: readonly number[] }
  | { readonly t: "int" | "float" }
  | { readonly t: "static"; readonly value: unknown };

/** What the signature records of one argument: a static value, or a tree's structure and leaves. */
type ArgSig = { readonly t: "static"; readonly value: unknown } | { readonly t: "tree"; readonly def: tree.TreeDef; readonly leaves: readonly LeafSig[] };


function leafText(l: LeafSig): string {
  switch (l.t) {
    case "tensor":
      return `${l.dtype}${l.weak ? "~" : ""}[${l.shape.join(",")}]`;
    case "int":
    case "float":
      return l.t;
    case "static":
      return `s:${staticKeyOf(l.value)}`;
  }
}

/** The cache key of a signature: structure keys, leaf dtypes and shapes, static values. */
function signatureKey(sig: readonly ArgSig[]): string {
  return sig.map((a, i) => (a.t === "static" ? `s${i}:${staticKeyOf(a.value)}` : [a.def.key, ...a.leaves.map(leafText)].join(";"))).join("|");
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a call's signature certainly equals a previous one's (see `TreeDef.certainlyEquals`). */
function sameSignature(a: readonly ArgSig[], b: readonly ArgSig[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.t === "static" || y.t === "static") {
      if (x.t !== y.t || !tree.staticCertainlyEqual((x as { value: unknown }).value, (y as { value: unknown }).value)) return false;
      continue;
    }
    if (x.leaves.length !== y.leaves.length || !x.def.certainlyEquals(y.def)) return false;
    for (let k = 0; k < x.leaves.length; k++) {
      const l = x.leaves[k]!;
      const m = y.leaves[k]!;
      if (l.t !== m.t) return false;
      if (l.t === "tensor") {
        const n = m as Extract<LeafSig, { t: "tensor" }>;
        if (l.dtype !== n.dtype || l.weak !== n.weak || !sameShape(l.shape, n.shape)) return false;
      } else if (l.t === "static" && !tree.staticCertainlyEqual(l.value, (m as { value: unknown }).value)) {
        return false;
      }
    }
  }
  return true;
}

function prepare(args: unknown[], statics: Set<number>, numbersStatic: boolean, where: string, donates: Donates | null): Prepared | null {
  const signature: ArgSig[] = [];
  const traced: ConcreteTensor[] = [];
  const donated: boolean[] | null = donates === null ? null : [];
  const places: LeafPlace[] = [];
  const builders: ((vals: Tensor[], cursor: { i: number }) => unknown)[] = [];
  for (let a = 0; a < args.length; a++) {
    const arg = args[a];
    if (statics.has(a)) {
      signature.push({ t: "static", value: arg });
      builders.push(() => arg);
      continue;
    }
    const [leaves, def] = tree.flatten(arg);
    const roles: LeafRole[] = [];
    const sigs: LeafSig[] = [];
    const donatesArg = donates !== null && donates(a, args.length);
    for (let k = 0; k < leaves.length; k++) {
      const leaf = leaves[k];
      if (leaf instanceof Tracer) return null; // inside another transformation: inline
      if (leaf instanceof Tensor) {
        const cause = deletionCause(leaf as ConcreteTensor);
        if (cause !== null) throw new DeletedArrayError(where, `${placeText({ arg: a, leaf: k, of: leaves.length })}, ${leaf.dtype} [${leaf.shape.join(", ")}]`, cause);
        roles.push({ kind: "traced", weakNumber: false });
        traced.push(leaf as ConcreteTensor);
        if (donated !== null) {
          donated.push(donatesArg);
          places.push({ arg: a, leaf: k, of: leaves.length });
        }
        sigs.push({ t: "tensor", dtype: leaf.dtype, weak: leaf.weakType, shape: leaf.shape });
      } else if (typeof leaf === "number" && !numbersStatic) {
        roles.push({ kind: "traced", weakNumber: true });
        const t = ConcreteTensor.fromData(Float64Array.of(leaf), [], Number.isInteger(leaf) ? "int32" : "float32", true);
        traced.push(Number.isInteger(leaf) ? ConcreteTensor.scalar(leaf, "int32", true) : t);
        if (donated !== null) {
          // A number's scalar is made here for the call: nothing of the caller's to donate.
          donated.push(false);
          places.push({ arg: a, leaf: k, of: leaves.length });
        }
        sigs.push({ t: Number.isInteger(leaf) ? "int" : "float" });
      } else {
        if (!numbersStatic && (typeof leaf === "function" || typeof leaf === "string" || typeof leaf === "boolean" || (typeof leaf === "object" && leaf !== null))) {
          throw new ValueError(
            `${where}: argument ${a} has a non-array leaf (${typeof leaf}); jit traces arrays and numbers only. ` +
              `Mark the argument static with staticArgnums, or use filterJit, which treats non-array leaves as static.`,
          );
        }
        roles.push({ kind: "static" });
        sigs.push({ t: "static", value: leaf });
      }
    }
    signature.push({ t: "tree", def, leaves: sigs });
    builders.push((vals, cursor) =>
      tree.unflatten(
        def,
        leaves.map((leaf, k) => (roles[k]!.kind === "traced" ? vals[cursor.i++]! : leaf)),
      ),
    );
  }
  if (donated !== null) checkDonatedLeaves(where, traced, donated, places);
  return {
    signature,
    traced,
    donated,
    places,
    rebuild: (vals) => {
      const cursor = { i: 0 };
      return builders.map((b) => b(vals, cursor));
    },
  };
}

function traceToJaxpr(f: (...args: any[]) => unknown, prepared: Prepared): Compiled {
  return withNewTrace(
    (level) => new JitTrace(level),
    (trace) => {
      const inTracers = prepared.traced.map((t) => trace.argument(t));
      const out = f(...prepared.rebuild(inTracers));
      const [outLeaves, outDef] = tree.flatten(out);
      const outs: Atom[] = [];
      const leaves = outLeaves.map((o) => {
        if (o instanceof JitTracer && o.trace === trace) {
          outs.push(o.atom);
          return { out: outs.length - 1 };
        }
        if (o instanceof Tracer) {
          throw new ValueError(`jit: the function returned a value traced by an enclosing ${o.trace.name} transformation; this is a leaked tracer`);
        }
        if (o instanceof ConcreteTensor) {
          outs.push({ kind: "const", value: o });
          return { out: outs.length - 1 };
        }
        return { value: o };
      });
      const jaxpr = optimize({ inVars: inTracers.map((t) => (t.atom as Extract<Atom, { kind: "var" }>).v), eqns: trace.eqns, outs });
      return { jaxpr, run: compile(jaxpr, prepared.donated === null ? {} : { donated: prepared.donated }), outDef, outLeaves: leaves };
    },
  );
}

function makeJit<F extends (...args: any[]) => any>(f: F, statics: Set<number>, numbersStatic: boolean, where: string, donates: Donates | null = null): JittedFunction<F> {
  const cache = new Map<string, Compiled>();
  // The signature last run, checked first without building a key: a training loop calls with
  // the same structure and shapes every time, and keying a network with its optimiser state
  // (a few thousand characters, hashed on each lookup) cost ~20 µs per call.
  let last: { signature: readonly ArgSig[]; compiled: Compiled } | null = null;
  const compiledFor = (args: unknown[]): [Compiled, Prepared] | null => {
    const prepared = prepare(args, statics, numbersStatic, where, donates);
    if (prepared === null) return null;
    if (last !== null && sameSignature(last.signature, prepared.signature)) return [last.compiled, prepared];
    const key = signatureKey(prepared.signature);
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = traceToJaxpr(f, prepared);
      cache.set(key, compiled);
    }
    last = { signature: prepared.signature, compiled };
    return [compiled, prepared];
  };
  const jitted = (...args: unknown[]) => {
    // Inside another transformation (grad(jit(f)), vmap(jit(f)), or a jit being traced), inline
    // f so the enclosing transformation sees its primitives. This also covers functions that
    // close over the enclosing transformation's tracers, which a separate trace could not see.
    if (currentDepth() > 0) return f(...args);
    const found = compiledFor(args);
    if (found === null) return f(...args);
    const [compiled, prepared] = found;
    const results = compiled.run(prepared.traced);
    return tree.unflatten(
      compiled.outDef,
      compiled.outLeaves.map((l) => ("out" in l ? results[l.out]! : l.value)),
    );
  };
  Object.defineProperty(jitted, "cacheSize", { get: () => cache.size });
  (jitted as unknown as { lower: (...a: unknown[]) => Jaxpr }).lower = (...args: unknown[]) => {
    const found = compiledFor(args);
    if (found === null) throw new ValueError(`${where}: lower() needs concrete arguments`);
    return found[0].jaxpr;
  };
  return jitted as unknown as JittedFunction<F>;
}


/**
 * Compile `f`: trace it once per input signature (pytree structure, shapes, dtypes, static
 * values) into a jaxpr over core's primitives, optimise it (dead code and common
 * subexpressions removed) and run the compiled form on later calls. Array leaves and JS
 * numbers are traced; `staticArgnums` arguments are compile-time constants. Inside another
 * transformation (`grad(jit(f))`, `vmap(jit(f))`, another jit) the function is inlined, so the
 * enclosing transformation sees its primitives (closures over its tracers included).
 *
 * `donateArgnums` donates arguments, as JAX's `donate_argnums`: each call deletes their array
 * leaves (reading or passing them afterwards throws `DeletedArrayError`) and reuses their
 * buffers for its own arrays, which spares allocating fresh large arrays on every call of a
 * training step. Under another transformation (where jit inlines) nothing is donated.
 *
 * @typeParam F - the function's type, kept by the jitted function.
 * @example
 * const step = jit((params, x) => np.sum(np.tanh(np.matmul(x, params))));
 * step(w, xs); // traced and compiled on the first call, cached afterwards
 * const update = jit((w, g) => np.subtract(w, np.multiply(0.1, g)), { donateArgnums: 0 });
 * w = update(w, g); // the old w is deleted; its memory may hold the new one
 */
export function jit<F extends (...args: any[]) => any>(f: F, options?: JitOptions): JittedFunction<F> {
  const o = checkOptions("jit", options, ["staticArgnums", "donateArgnums"]);
  const statics = argnumsOption("jit", "staticArgnums", o.staticArgnums);
  const donated = donateArgnumsOption("jit", o.donateArgnums, statics);
  return makeJit(f, statics, false, "jit", donatesArgnums("jit", donated));
}

/**
 * Equinox's `filter_jit`: every array leaf of every argument is traced; everything else
 * (numbers, strings, functions, static Module fields) is static and part of the cache key.
 * `donate` (Equinox's meaning) donates the array leaves of all arguments (`"all"`) or of all
 * but the first (`"all-except-first"`); see `jit`'s `donateArgnums` for what donation does.
 *
 * @typeParam F - the function's type, kept by the jitted function.
 * @example
 * const step = filterJit((model, x, y) => filterValueAndGrad(loss)(model, x, y));
 * // A training step whose batch comes first and is kept; model and state are replaced:
 * const train = filterJit((batch, model, state) => update(batch, model, state), { donate: "all-except-first" });
 */
export function filterJit<F extends (...args: any[]) => any>(f: F, options?: FilterJitOptions): JittedFunction<F> {
  const o = checkOptions("filterJit", options, ["donate"]);
  return makeJit(f, new Set(), true, "filterJit", donatesMode(donateModeOption("filterJit", o.donate)));
}

/**
 * The jaxpr of `f` at these arguments, printable with `toString()` (JAX's `make_jaxpr`).
 *
 * @example
 * console.log(String(makeJaxpr((x) => np.sum(np.sin(x)))(np.ones([3]))));
 * // { lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[] = reduce_sum[axes=(0,)] b in (c,) }
 */
export function makeJaxpr(f: (...args: any[]) => unknown, options?: MakeJaxprOptions) {
  const statics = argnumsOption("makeJaxpr", "staticArgnums", checkOptions("makeJaxpr", options, ["staticArgnums"]).staticArgnums);
  return (...args: unknown[]): Jaxpr & { toString(): string } => {
    const jaxpr = makeJit(f, statics, false, "makeJaxpr").lower(...(args as never[]));
    return { ...jaxpr, toString: () => formatJaxpr(jaxpr) };
  };
}
