import { describe, expect, it } from "vitest";
import { numThreads, setNumThreads } from "@connex/core";
import { onThreads } from "./threads.js";

describe("onThreads", () => {
  it("runs f on n threads and restores the previous count, also when f throws", () => {
    const before = numThreads();
    try {
      setNumThreads(2);
      expect(onThreads(1, () => numThreads())).toBe(1);
      expect(numThreads()).toBe(2);
      expect(() =>
        onThreads(1, () => {
          throw new Error("inside");
        }),
      ).toThrow("inside");
      expect(numThreads()).toBe(2);
    } finally {
      setNumThreads(before);
    }
  });
});
