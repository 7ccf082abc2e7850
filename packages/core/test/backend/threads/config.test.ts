import { afterAll, describe, expect, test } from "vitest";
import { numThreads as publicNumThreads, setNumThreads as publicSetNumThreads, ValueError } from "../../../src/index.js";
import { debugLog, debugMessages, numThreads, setNumThreads } from "../../../src/backend/threads/config.js";
import { availableThreads, waitForThreads } from "../../../src/backend/threads/pool.js";

const initial = numThreads();
afterAll(() => setNumThreads(initial));

describe("thread count", () => {
  test("is exported from @connex/core", () => {
    expect(publicSetNumThreads).toBe(setNumThreads);
    expect(publicNumThreads).toBe(numThreads);
  });

  test("defaults to CONNEX_NUM_THREADS or the machine's parallelism", async () => {
    const os = await import("node:os");
    const env = process.env["CONNEX_NUM_THREADS"];
    expect(initial).toBe(env !== undefined && env !== "" ? Number(env) : os.availableParallelism());
  });

  test("setNumThreads changes numThreads and the workers", () => {
    setNumThreads(3);
    expect(numThreads()).toBe(3);
    expect(waitForThreads()).toBe(3);
    setNumThreads(1);
    expect(numThreads()).toBe(1);
    expect(availableThreads()).toBe(1);
  });

  test("rejects a count that is not an integer from 1 to 256, naming it, and keeps the old one", () => {
    setNumThreads(2);
    for (const bad of [0, -1, 1.5, Number.NaN, 257]) expect(() => setNumThreads(bad)).toThrow(ValueError);
    expect(() => setNumThreads(0)).toThrow(/setNumThreads: n must be an integer from 1 to 256, got 0/);
    expect(numThreads()).toBe(2);
  });

  test("debugLog notes each message once", () => {
    debugLog("a test note");
    debugLog("a test note");
    expect(debugMessages().filter((m) => m === "a test note")).toHaveLength(1);
  });
});
