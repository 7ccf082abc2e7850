import { ShapeError } from "../errors.js";
import * as np from "../np/index.js";

/**
 * Check that parameter shapes broadcast to the requested sample shape and that the result is
 * exactly that shape (JAX's `_check_shape`): `uniform(key, [3], { minval: zeros([2, 3]) })` is an
 * error rather than a silently larger sample.
 *
 * @example checkParamShapes("random.bernoulli", [4, 3], [3]) // ok
 */
export function checkParamShapes(op: string, shape: readonly number[], ...paramShapes: (readonly number[])[]): void {
  if (paramShapes.length === 0) return;
  const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;
  let result: number[];
  try {
    result = np.broadcastShapes(op, shape, ...paramShapes);
  } catch {
    throw new ShapeError(`${op}: parameter shapes ${paramShapes.map(fmt).join(", ")} do not broadcast with the shape argument ${fmt(shape)}`);
  }
  if (result.length !== shape.length || result.some((n, i) => n !== shape[i])) {
    throw new ShapeError(
      `${op}: parameter shapes ${paramShapes.map(fmt).join(", ")} broadcast with the shape argument ${fmt(shape)} to ${fmt(result)}, ` +
        `which is not the shape argument`,
    );
  }
}
