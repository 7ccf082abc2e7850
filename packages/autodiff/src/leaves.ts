import { ConcreteTensor, DTypeError, isFloat, np, Tensor } from "@connex/core";

/** True for values transformations treat as arrays: tensors (and tracers) and JS numbers. */
export function isArrayLeaf(x: unknown): x is Tensor | number {
  return x instanceof Tensor || typeof x === "number";
}

/** A leaf as a tensor (JS numbers become weakly typed float32 scalars, as Python floats in JAX). */
export function leafTensor(x: Tensor | number): Tensor {
  if (x instanceof Tensor) return x;
  return ConcreteTensor.fromData(Float64Array.of(x), [], "float32", true);
}

/** Check that a value being differentiated is real-valued (JAX rejects ints and bools). */
export function checkDifferentiable(x: Tensor, where: string): void {
  if (!isFloat(x.dtype)) {
    throw new DTypeError(
      `${where}: cannot differentiate with respect to a ${x.dtype} value of shape [${x.shape.join(", ")}]; ` +
        `differentiable inputs must be float32 or float64 (convert with .astype("float32"), or leave it out of argnums / use filterGrad).`,
    );
  }
}

export function zerosFor(x: Tensor): Tensor {
  return np.zeros(x.shape, { dtype: x.dtype });
}
