/**
 * Every elementwise primitive against NumPy reference values (scripts/gen_elementwise_fixtures.py),
 * in float64, float32, int32 and uint32 as applicable.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { DType } from "../../src/dtype.js";
import { allPrimitives } from "../../src/primitive.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { allocate } from "../../src/backend/buffers.js";
import "../../src/primitives/arithmetic.js";
import "../../src/primitives/bitwise.js";
import "../../src/primitives/compare.js";
import "../../src/primitives/pow_rem.js";
import "../../src/primitives/unary.js";

type Encoded = number | "nan" | "inf" | "-inf";
interface Case {
  dtype: DType;
  shape: number[];
  inputs: Encoded[][];
  expected: Encoded[];
}
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/elementwise.json", import.meta.url), "utf8"));

const decode = (v: Encoded): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);

function tensorOf(values: Encoded[], dtype: DType): ConcreteTensor {
  const data = allocate(dtype, values.length);
  values.forEach((v, i) => (data[i] = decode(v)));
  return ConcreteTensor.fromData(data, [values.length], dtype);
}

/** Relative tolerance per dtype: float64 kernels are within a few ulp of NumPy's libm. */
function tolerance(name: string, dtype: DType): number {
  if (dtype === "float32") return name === "erf_inv" ? 3e-6 : 1.2e-7;
  if (dtype === "float64") return name === "erf" || name === "erf_inv" ? 1e-14 : 4e-16;
  return 0;
}

function expectMatches(name: string, got: ArrayLike<number>, expected: Encoded[], inputs: Encoded[][], dtype: DType) {
  const rtol = tolerance(name, dtype);
  for (let i = 0; i < expected.length; i++) {
    const want = decode(expected[i]!);
    const have = got[i]!;
    const where = `${name}(${inputs.map((a) => a[i]).join(", ")}) [${dtype}]`;
    if (Number.isNaN(want)) expect(have, where).toBeNaN();
    else if (!Number.isFinite(want) || rtol === 0) expect(have, where).toBe(want);
    else expect(Math.abs(have - want), `${where}: got ${have}, want ${want}`).toBeLessThanOrEqual(rtol * Math.abs(want) + 1e-300);
  }
}

function run(name: string, c: Case): ArrayLike<number> {
  const prim = allPrimitives().get(name)!;
  expect(prim, `primitive ${name} is registered`).toBeDefined();
  const out = bind1(prim, c.inputs.map((xs) => tensorOf(xs, c.dtype)));
  expect(out.shape).toEqual(c.shape);
  return out.toTypedArray();
}

describe("unary primitives match NumPy", () => {
  for (const [name, byDtype] of Object.entries(fixtures.unary as Record<string, Record<string, Case>>)) {
    for (const [dtype, c] of Object.entries(byDtype)) {
      it(`${name} ${dtype}`, () => {
        const got = run(name, c);
        const outDtype = name === "is_finite" ? "bool" : c.dtype;
        expectMatches(name, got, c.expected, c.inputs, outDtype === "bool" ? "bool" : c.dtype);
      });
    }
  }
});

describe("binary primitives match NumPy", () => {
  const all = { ...fixtures.binaryFloat } as Record<string, Record<string, Case>>;
  for (const [name, byDtype] of Object.entries(fixtures.binaryInt as Record<string, Record<string, Case>>)) {
    all[`${name} `] = byDtype; // keep float and int groups apart; the name is trimmed below
  }
  for (const [key, byDtype] of Object.entries(all)) {
    const name = key.trim();
    for (const [dtype, c] of Object.entries(byDtype)) {
      it(`${name} ${dtype}`, () => {
        const got = run(name, c);
        const isBool = ["eq", "ne", "lt", "le", "gt", "ge"].includes(name);
        expectMatches(name, got, c.expected, c.inputs, isBool ? "bool" : c.dtype);
      });
    }
  }
});
