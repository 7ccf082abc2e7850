import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eachElement, sameElements } from "../src/frozen_arrays.js";

describe("frozen_arrays", () => {
  it("sameElements agrees with a length check and every() on frozen and plain arrays (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 })), fc.array(fc.integer({ min: 0, max: 3 })), fc.boolean(), (a, b, freeze) => {
        const [x, y] = freeze ? [Object.freeze(a.slice()), Object.freeze(b.slice())] : [a, b];
        expect(sameElements(x, y)).toBe(a.length === b.length && a.every((v, i) => v === b[i]));
        expect(sameElements(x, x)).toBe(true);
      }),
    );
  });

  it("sameElements compares by identity unless told how: equal objects differ, a custom test says otherwise", () => {
    const a = [{ k: 1 }];
    const b = [{ k: 1 }];
    expect(sameElements(a, b)).toBe(false);
    expect(sameElements(a, b, (p, q) => p.k === q.k)).toBe(true);
    expect(sameElements(a, [...b, { k: 2 }], () => true)).toBe(false);
  });

  it("eachElement visits every element once, in order, with its index, frozen or not", () => {
    for (const xs of [[5, 6, 7], Object.freeze([5, 6, 7]), []]) {
      const seen: [number, number][] = [];
      eachElement(xs, (x, i) => seen.push([x, i]));
      expect(seen).toEqual(xs.map((x, i) => [x, i]));
    }
  });
});
