import { test, expect } from "vitest";
import { np } from "../src/index.js";
test("t", () => {
  const x = np.reshape(np.arange(24), [2, 3, 4]);
  console.log(np.sum(x, 1).toArray(), np.sum(x, { axis: 1 }).toArray());
  console.log(np.mean(x, [0, 2]).toArray(), np.max(x, -1, { keepdims: true }).shape, np.argmax(x, 1).toArray());
  console.log(np.sum(x, 1, { where: np.greater(x, 10) }).toArray(), np.mean(np.array([1, 2, 3, 4]), 0, { where: np.array([true, false, true, false]) }).toArray());
  console.log(np.sum(np.array([true, true]), { dtype: "float32" }).dtype, np.cumsum(x, 2, { reverse: true }).toArray());
  for (const f of [() => np.sum(x, 5), () => np.sum(x, "1" as never), () => np.sum(x, { axes: 1 } as never), () => np.sum(x, 1, { axis: 2 } as never), () => np.argmax(x, [0, 1] as never)]) {
    try { f(); console.log("no throw"); } catch (e) { console.log((e as Error).name, (e as Error).message); }
  }
});
