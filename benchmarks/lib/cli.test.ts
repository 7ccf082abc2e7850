import { describe, expect, it } from "vitest";
import { checkOnly, parseFlags } from "./cli.js";

describe("parseFlags", () => {
  it("defaults to a full run of everything", () => {
    expect(parseFlags([])).toEqual({ quick: false, only: [], suiteChild: null });
  });

  it("reads --quick and --only, repeated or comma-separated", () => {
    expect(parseFlags(["--quick", "--only", "dense, readme", "--only", "memory"])).toEqual({ quick: true, only: ["dense", "readme", "memory"], suiteChild: null });
  });

  it("ignores the `--` that `pnpm bench -- --only ...` passes through (pnpm 12)", () => {
    expect(parseFlags(["--", "--only", "mnist,threads"])).toEqual({ quick: false, only: ["mnist", "threads"], suiteChild: null });
  });

  it("reads the internal --suite-child flag run.ts gives its children", () => {
    expect(parseFlags(["--suite-child", "readme", "--quick"])).toEqual({ quick: true, only: [], suiteChild: "readme" });
  });

  it("rejects unknown flags and stray arguments", () => {
    expect(() => parseFlags(["--fast"])).toThrow(/--fast/);
    expect(() => parseFlags(["dense"])).toThrow();
  });
});

describe("checkOnly", () => {
  it("accepts known names and rejects a typo, listing the known names", () => {
    expect(() => checkOnly(["dense"], ["dense", "readme"])).not.toThrow();
    expect(() => checkOnly(["dnese"], ["dense", "readme"])).toThrow("--only: unknown name(s) dnese; known: dense, readme");
  });
});
