import { deletionCause, isDeletedTensor } from "./deletion.js";
import { ConcretizationError, DeletedArrayError, LeakedTracerError } from "./errors.js";
import type { AbstractArray, Primitive } from "./primitive.js";
import { ConcreteTensor, Tensor } from "./tensor.js";

/**
 * A transformation in progress (grad, vmap, jit tracing ...). `@connex/autodiff` defines the
 * concrete traces; core only knows this interface, which is all `bind` needs.
 */
export abstract class Trace {
  /** Nesting depth: a trace created inside another has a higher level. */
  abstract readonly level: number;
  /** False once the transformation that owns it has returned; its tracers are then leaked. */
  abstract readonly active: boolean;
  /** A short name for error messages, e.g. "grad" or "vmap". */
  abstract readonly name: string;
  /** Wrap a value of a lower level (a concrete tensor or an outer tracer) as this trace's tracer. */
  abstract lift(x: Tensor): Tracer;
  /** Apply a primitive to this trace's tracers. */
  abstract processPrimitive(prim: Primitive, tracers: Tracer[], params: unknown): Tensor[];
}

/** A value standing in for a tensor while a trace runs. */
export abstract class Tracer extends Tensor {
  /** The transformation this tracer belongs to. */
  abstract readonly trace: Trace;
  /** Shape, dtype and weak type of the value it stands for. */
  abstract readonly aval: AbstractArray;

  /** The shape of the value this tracer stands for (from its `aval`). */
  get shape(): readonly number[] {
    return this.aval.shape;
  }
  /** The dtype of the value this tracer stands for (from its `aval`). */
  get dtype() {
    return this.aval.dtype;
  }
  /** Whether the value this tracer stands for is weakly typed (from its `aval`). */
  get weakType(): boolean {
    return this.aval.weakType;
  }
  /**
   * The concrete value this tracer stands for, if it has one (JVP tracers of concrete primals
   * do; batched and jit tracers do not). Lets JS control flow on concrete values work.
   */
  abstract override concrete(): ConcreteTensor;

  override toString(): string {
    return `Tracer<${this.trace.name}>(shape=[${this.shape.join(", ")}], dtype=${this.dtype})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Throw the error for a primitive applied to a tracer whose transformation has finished. */
function leaked(prim: Primitive, t: Tracer): never {
  throw new LeakedTracerError(
    `${prim.name}: got a tracer from a ${t.trace.name} transformation that has already finished ` +
      `(shape [${t.shape.join(", ")}], ${t.dtype}). A traced value escaped its function, e.g. through a ` +
      `closure, a global or a returned object; return it from the transformed function instead.`,
  );
}

/**
 * The one dispatch point of the array library: every `np`/`nn`/`random` operation applies its
 * primitives through `bind`. With only concrete operands it runs the eager kernel; otherwise the
 * highest-level trace among the operands interprets the primitive. Operands of a finished
 * transformation raise `LeakedTracerError`, deleted (donated) arrays `DeletedArrayError`.
 *
 * @example
 * // doubleP as defined in definePrimitive's example
 * const [y] = bind(doubleP, [np.array([1, 2])]); // [2, 4]
 */
export function bind(prim: Primitive, args: readonly Tensor[], params: unknown = {}): Tensor[] {
  let top: Trace | null = null;
  for (const a of args) {
    if (a instanceof Tracer) {
      if (!a.trace.active) leaked(prim, a);
      if (top === null || a.trace.level > top.level) top = a.trace;
    } else if (isDeletedTensor(a as ConcreteTensor)) {
      throw new DeletedArrayError(prim.name, `${a.dtype} [${a.shape.join(", ")}]`, deletionCause(a as ConcreteTensor)!);
    }
  }
  if (top === null) {
    const concrete = args as ConcreteTensor[];
    prim.abstractEval(concrete, params);
    return prim.impl(concrete, params);
  }
  const tracers = args.map((a) => (a instanceof Tracer && a.trace === top ? a : top!.lift(a)));
  return top.processPrimitive(prim, tracers, params);
}

/**
 * `bind` for single-output primitives: the first (only) output.
 *
 * @example
 * // doubleP as defined in definePrimitive's example
 * const y = bind1(doubleP, [np.array([1, -2])]); // [2, -4]
 */
export function bind1(prim: Primitive, args: readonly Tensor[], params: unknown = {}): Tensor {
  return bind(prim, args, params)[0]!;
}

/**
 * The error for reading a value that only exists abstractly: names `what` was attempted, the
 * tracer's shape, dtype and transformation, and how to avoid it.
 *
 * @example
 * // in a Tracer subclass that has no concrete value:
 * override concrete(): ConcreteTensor {
 *   throw concretizationError("myTransform", this);
 * }
 */
export function concretizationError(what: string, t: Tracer): ConcretizationError {
  return new ConcretizationError(
    `${what}: the value (shape [${t.shape.join(", ")}], ${t.dtype}) is traced by ${t.trace.name} and has no ` +
      `concrete value here; JS control flow and conversions to numbers need concrete values ` +
      `(under jit, mark the argument static; under vmap, use np.where instead of if).`,
  );
}
