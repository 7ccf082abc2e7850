/**
 * Momentum in Optax's `trace` form: `t <- g + decay * t`, the update being `t` (or
 * `g + decay * t` with Nesterov). The learning rate is applied afterwards, so this is
 * "SGD with momentum" as PyTorch writes it.
 */
import { np, type DType } from "@connex/core";
import { castTo, fullLike, mapLeaves, requireState } from "./leafwise.js";
import { castLike } from "./numerics.js";
import type { GradientTransformation } from "./transform.js";
import { requireDecayRate, requireOptions } from "./validation.js";

/** Options of `trace` (momentum). */
export interface TraceOptions {
  /** The momentum coefficient, in [0, 1). */
  decay: number;
  /** Nesterov's accelerated variant. Default false. */
  nesterov?: boolean;
  /** Storage dtype of the trace; default: each parameter's dtype. */
  accumulatorDtype?: DType;
}

/** State of `trace`: the momentum buffer, shaped like the parameters. */
export interface TraceState {
  /** The momentum buffer, shaped like the parameters. */
  trace: unknown;
}

/**
 * Accumulate a momentum trace of the updates.
 *
 * @example
 * const momentum = chain(trace({ decay: 0.9 }), scaleByLearningRate(0.01));
 */
export function trace(options: TraceOptions): GradientTransformation<TraceState> {
  requireOptions("trace", options, ["decay", "nesterov", "accumulatorDtype"]);
  const where = "trace";
  const decay = requireDecayRate(where, "decay", options.decay);
  const nesterov = options.nesterov ?? false;
  return {
    init: (params) => ({ trace: fullLike(params, 0, options.accumulatorDtype) }),
    update(updates, state) {
      const newTrace = mapLeaves(
        where,
        (g, t) => (g === null ? t : np.add(g, np.multiply(decay, requireState(where, t)))),
        updates,
        state.trace,
      );
      const out = mapLeaves(
        where,
        (g, t) => {
          if (g === null) return null;
          const momentum = requireState(where, t);
          return castTo(nesterov ? np.add(g, np.multiply(decay, momentum)) : momentum, g.dtype);
        },
        updates,
        newTrace,
      );
      return [out as typeof updates, { trace: castLike(where, newTrace, state.trace) }];
    },
  };
}
