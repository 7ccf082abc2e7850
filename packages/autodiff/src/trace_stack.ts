import { Trace } from "@connex/core";

/**
 * Base of autodiff's traces: a level on the global nesting stack and an `active` flag that is
 * cleared when the transformation returns (so escaped tracers are detected by core's `bind`).
 */
export abstract class NestedTrace extends Trace {
  readonly level: number;
  active = true;
  constructor(level: number) {
    super();
    this.level = level;
  }
}

let depth = 0;

/**
 * Run `body` with a new trace one level above every trace now running. The trace is
 * deactivated when `body` returns or throws: its tracers are then "leaked" if used again.
 *
 * @example
 * // forward mode by hand: a tracer carrying x and the tangent 1
 * const x = np.array([0, 1], { dtype: "float32" });
 * const [y, dy] = withNewTrace(
 *   (level) => new JVPTrace(level),
 *   (trace) => {
 *     const out = np.sin(new JVPTracer(trace, x, np.onesLike(x))) as JVPTracer;
 *     return [out.primal, out.tangent]; // sin(x), cos(x)
 *   },
 * );
 */
export function withNewTrace<T extends NestedTrace, R>(make: (level: number) => T, body: (trace: T) => R): R {
  const trace = make(++depth);
  try {
    return body(trace);
  } finally {
    depth--;
    trace.active = false;
  }
}

/**
 * The nesting depth of transformations currently running (0 outside of any).
 *
 * @example
 * currentDepth(); // 0
 * grad((x) => (console.log(currentDepth()), np.sum(x)))(np.ones([2])); // logs 1
 */
export function currentDepth(): number {
  return depth;
}
