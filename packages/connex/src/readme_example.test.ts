import { describe, expect, it } from "vitest";
import { train } from "../../../examples/readme_network.js";

describe("the README example (examples/readme_network.ts)", () => {
  it("trains: the loss decreases steadily under Adam", () => {
    const { network, losses } = train({ epochs: 150 });
    expect(network.numEdges).toBe(14);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[149]!).toBeLessThan(0.8 * losses[0]!);
    // Mostly monotone: full-batch Adam at 1e-3 should rarely step uphill.
    const uphill = losses.slice(1).filter((l, i) => l > losses[i]!).length;
    expect(uphill).toBeLessThan(15);
  });
});
