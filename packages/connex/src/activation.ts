/**
 * Activations and output transformations: plain functions `(x) => y`, or trainable `Module`s
 * with a `forward(x)` method (their parameters then train with the network).
 */
import { Module, np, Tensor, type DType } from "@connex/core";
import { ActivationShapeError } from "./errors.js";

/** A `Module` used as an activation: `forward` maps a tensor to one of the same shape. */
export interface ActivationModule extends Module {
  /** Apply the activation; the result must have `x`'s shape. */
  forward(x: Tensor): Tensor;
}

/** An activation: a function of a tensor, or a trainable `ActivationModule`. */
export type Activation = ((x: Tensor) => Tensor) | ActivationModule;

/**
 * True for `Module` activations (pytree children of the network, so they train).
 *
 * @example
 * isActivationModule(nn.relu); // false
 */
export function isActivationModule(act: unknown): act is ActivationModule {
  return act instanceof Module && typeof (act as { forward?: unknown }).forward === "function";
}

/**
 * Apply an activation to `x`.
 *
 * @example
 * applyActivation(nn.relu, np.array([-1, 2])); // [0, 2]
 */
export function applyActivation(act: Activation, x: Tensor): Tensor {
  return isActivationModule(act) ? act.forward(x) : act(x);
}

/**
 * Check that `act` is a function or activation module and maps a tensor of `shape` to a tensor
 * of the same shape; throws `ActivationShapeError` naming `what` (e.g. `"hiddenActivation"`).
 *
 * @example
 * validateActivation((y) => np.sum(y), "outputTransformation", [2], "float32"); // throws ActivationShapeError
 */
export function validateActivation(act: unknown, what: string, shape: readonly number[], dtype: DType): void {
  if (typeof act !== "function" && !isActivationModule(act)) {
    throw new ActivationShapeError(`${what}: expected a function or a Module with a forward(x) method, got ${act === null ? "null" : typeof act}`);
  }
  const probe = np.zeros(shape, { dtype });
  let y: unknown;
  try {
    y = applyActivation(act as Activation, probe);
  } catch (e) {
    throw new ActivationShapeError(`${what}: calling it on a tensor of shape [${shape.join(", ")}] threw: ${(e as Error).message}`);
  }
  if (!(y instanceof Tensor)) {
    throw new ActivationShapeError(`${what}: must return a tensor, but returned ${y === null ? "null" : typeof y} for an input of shape [${shape.join(", ")}]`);
  }
  if (y.shape.length !== shape.length || y.shape.some((n, i) => n !== shape[i])) {
    throw new ActivationShapeError(`${what}: must keep the shape of its input, but maps shape [${shape.join(", ")}] to [${y.shape.join(", ")}]`);
  }
}
