import { describe, expect, it } from "vitest";
import { random } from "@connex/core";
import { DATASETS, makeDataset } from "../src/datasets.js";

describe("Playground datasets", () => {
  for (const name of DATASETS) {
    it(`${name}: the same key gives the same points; another key other points; both classes, equal counts`, () => {
      const a = makeDataset(name, random.key(3), 100, 0.1);
      const b = makeDataset(name, random.key(3), 100, 0.1);
      const c = makeDataset(name, random.key(4), 100, 0.1);
      expect(a.x.shape).toEqual([100, 2]);
      expect(a.y.shape).toEqual([100]);
      expect(Array.from(a.x.toTypedArray())).toEqual(Array.from(b.x.toTypedArray()));
      expect(Array.from(a.x.toTypedArray())).not.toEqual(Array.from(c.x.toTypedArray()));
      const ones = a.points.filter((p) => p.label === 1).length;
      if (name !== "xor") expect(ones).toBe(50);
      else expect(ones).toBeGreaterThan(30);
      expect(a.points.every((p) => Math.abs(p.x1) < 2 && Math.abs(p.x2) < 2)).toBe(true);
    });
  }

  it("noise 0 gives the clean shapes: circles' classes are separated by radius", () => {
    const d = makeDataset("circles", random.key(0), 200, 0);
    for (const p of d.points) {
      const r = Math.hypot(p.x1, p.x2);
      if (p.label === 1) expect(r).toBeLessThanOrEqual(0.45 + 1e-6);
      else expect(r).toBeGreaterThanOrEqual(0.7 - 1e-6);
    }
  });

  it("rejects bad arguments", () => {
    expect(() => makeDataset("moons" as never, random.key(0), 10, 0)).toThrow(/unknown dataset "moons"/);
    expect(() => makeDataset("xor", random.key(0), 1, 0)).toThrow(/integer >= 2/);
    expect(() => makeDataset("xor", random.key(0), 10, -1)).toThrow(/noise must be in \[0, 1\]/);
  });
});
