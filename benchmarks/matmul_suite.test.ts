import { describe, expect, it } from "vitest";
import { parseMatmulTable } from "./matmul_suite.js";

const PRINTED = `┌─────────┬───────────────────┬─────────────┬─────────┐
│ (index) │ shape             │ library     │ GFLOP/s │
├─────────┼───────────────────┼─────────────┼─────────┤
│ 0       │ '128²'            │ 'tfjs-cpu'  │ 0.7     │
│ 1       │ '128²'            │ 'connex'    │ 1.95    │
│ 2       │ '250x513·513x128' │ 'tfjs-wasm' │ 14.9    │
└─────────┴───────────────────┴─────────────┴─────────┘
`;

describe("parseMatmulTable", () => {
  it("reads shape, library and GFLOP/s from console.table output", () => {
    expect(parseMatmulTable(`some log line\n${PRINTED}`)).toEqual([
      { shape: "128²", library: "tfjs-cpu", gflops: 0.7 },
      { shape: "128²", library: "connex", gflops: 1.95 },
      { shape: "250x513·513x128", library: "tfjs-wasm", gflops: 14.9 },
    ]);
  });

  it("finds nothing in output without such a table", () => {
    expect(parseMatmulTable("no table here")).toEqual([]);
    expect(parseMatmulTable("│ (index) │ name │ ms │\n│ 0 │ 'x' │ 3 │")).toEqual([]);
  });

  it("skips rows whose figure is not a number", () => {
    expect(parseMatmulTable("│ (index) │ shape │ library │ GFLOP/s │\n│ 0 │ 'a' │ 'connex' │ 'n/a' │")).toEqual([]);
  });
});
