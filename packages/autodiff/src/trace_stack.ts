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

/** The nesting depth of transformations currently running (0 outside of any). */
export function currentDepth(): number {
  return depth;
}
