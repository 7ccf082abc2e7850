import { beforeEach, describe, expect, it, vi } from "vitest";

const counts = { probes: 0, alone: 0 };
vi.mock("@connex/core/internal", () => ({ poolChoiceCounts: () => ({ ...counts }) }));
const { ProbeTally } = await import("./probe_tally.js");

describe("ProbeTally", () => {
  beforeEach(() => {
    counts.probes = 0;
    counts.alone = 0;
  });

  it("adds up the probes of the counted stretches only", () => {
    const tally = new ProbeTally();
    expect(tally.note()).toBe("pool choice: 0 of 0 probes chose the calling thread alone");
    tally.count(() => {
      counts.probes += 2;
      counts.alone += 1;
    });
    counts.probes += 5; // between stretches: not counted
    tally.start();
    counts.probes += 1;
    tally.stop();
    expect(tally.note(" (warm-up included)")).toBe("pool choice: 1 of 3 probes (warm-up included) chose the calling thread alone");
  });

  it("counts a stretch that throws, and refuses a stop without a start", () => {
    const tally = new ProbeTally();
    expect(() =>
      tally.count(() => {
        counts.probes += 1;
        throw new Error("inside");
      }),
    ).toThrow("inside");
    expect(tally.note()).toBe("pool choice: 0 of 1 probes chose the calling thread alone");
    expect(() => tally.stop()).toThrow("not started");
  });
});
