import { describe, expect, it } from "vitest";
import { random } from "@connex/core";
import { QUICK_START_KEY, train } from "../../../examples/readme_network.js";

describe("the README example (examples/readme_network.ts)", () => {
  it("trains: the loss decreases under Adam", () => {
    const { network, losses } = train({ epochs: 400, key: random.key(QUICK_START_KEY) });
    expect(network.numEdges).toBe(14);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[399]!).toBeLessThan(0.8 * losses[0]!);
    // Full-batch Adam at 1e-3 rarely steps uphill.
    const uphill = losses.slice(1).filter((l, i) => l > losses[i]! + 1e-6).length;
    expect(uphill).toBeLessThan(40);
  });

  it("with key 0 the dead ReLU path leaves the loss at the best linear fit (0.5)", () => {
    const { losses } = train({ epochs: 200, key: random.key(0) });
    expect(losses[199]!).toBeLessThan(losses[0]!);
    expect(losses[199]!).toBeCloseTo(0.5, 2);
  });
});
