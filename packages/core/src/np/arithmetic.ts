import type { ArrayLike, Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { addP } from "../primitives/arithmetic.js";
import { promoteAndBroadcast } from "./broadcast.js";

/** Elementwise `x + y` with broadcasting. */
export function add(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = promoteAndBroadcast("add", [x, y]);
  return bind1(addP, [a!, b!]);
}
