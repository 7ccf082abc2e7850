/**
 * The derivative and batch rules of every elementwise primitive, called directly:
 * jvp against central finite differences (float64), vjp against jvp through the identity
 * <vjp(ct), t> = <ct, jvp(t)>, and batch against a loop over examples.
 */
import { describe, expect, it } from "vitest";
import { type DType } from "../../src/dtype.js";
import { allocate } from "../../src/backend/buffers.js";
import type { Primitive } from "../../src/primitive.js";
import { ConcreteTensor, type Tensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { addP, atan2P, divP, maxP, minP, mulP, negP, subP } from "../../src/primitives/arithmetic.js";
import { powP, remP } from "../../src/primitives/pow_rem.js";
import { moveAxis } from "../../src/primitives/batching.js";
import { bitcastConvertTypeP } from "../../src/primitives/bitcast.js";
import { andP, orP, shiftLeftP, shiftRightArithmeticP, shiftRightLogicalP, xorP } from "../../src/primitives/bitwise.js";
import { eqP, geP, gtP, leP, ltP, neP } from "../../src/primitives/compare.js";
import { selectP } from "../../src/primitives/select.js";
import { stopGradientP } from "../../src/primitives/stop_gradient.js";
import * as u from "../../src/primitives/unary.js";

/** A deterministic generator (xorshift) so failures reproduce. */
function makeRandom(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}
const rand = makeRandom(12345);
const uniform = (lo: number, hi: number) => () => lo + (hi - lo) * rand();

function tensor(values: number[], shape: number[], dtype: DType = "float64"): ConcreteTensor {
  const data = allocate(dtype, values.length);
  data.set(values);
  return ConcreteTensor.fromData(data, shape, dtype);
}
const sample = (gen: () => number, n: number) => Array.from({ length: n }, gen);
const values = (t: Tensor) => Array.from(t.toTypedArray());
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

interface DiffSpec {
  prim: Primitive;
  /** Samplers of each operand, chosen away from kinks and outside the domain. */
  domains: (() => number)[];
  /** Derivative is zero almost everywhere (tangent is a symbolic zero). */
  zeroDerivative?: boolean;
  /** The zero derivative is by definition (stop_gradient), not what differences measure. */
  declaredZero?: boolean;
  /** Operand indices that are not differentiated (select's predicate). */
  bool?: number[];
}

const any = uniform(-3, 3);
const positive = uniform(0.2, 3);
const awayFromZero = () => (rand() < 0.5 ? -1 : 1) * uniform(0.2, 3)();
const nonInteger = () => Math.floor(any()) + uniform(0.1, 0.4)();
const predicate = () => (rand() < 0.5 ? 1 : 0);

const DIFFERENTIABLE: DiffSpec[] = [
  { prim: negP, domains: [any] },
  { prim: u.absP, domains: [awayFromZero] },
  { prim: u.signP, domains: [awayFromZero], zeroDerivative: true },
  { prim: u.floorP, domains: [nonInteger], zeroDerivative: true },
  { prim: u.ceilP, domains: [nonInteger], zeroDerivative: true },
  { prim: u.roundP, domains: [nonInteger], zeroDerivative: true },
  { prim: u.expP, domains: [any] },
  { prim: u.logP, domains: [positive] },
  { prim: u.log1pP, domains: [uniform(-0.8, 3)] },
  { prim: u.expm1P, domains: [any] },
  { prim: u.sqrtP, domains: [positive] },
  { prim: u.rsqrtP, domains: [positive] },
  { prim: u.sinP, domains: [any] },
  { prim: u.cosP, domains: [any] },
  { prim: u.tanP, domains: [uniform(-1.2, 1.2)] },
  { prim: u.tanhP, domains: [any] },
  { prim: u.logisticP, domains: [any] },
  { prim: u.erfP, domains: [any] },
  { prim: u.erfInvP, domains: [uniform(-0.9, 0.9)] },
  { prim: addP, domains: [any, any] },
  { prim: subP, domains: [any, any] },
  { prim: mulP, domains: [any, any] },
  { prim: divP, domains: [any, awayFromZero] },
  { prim: remP, domains: [uniform(5.1, 5.9), uniform(2, 2.2)] },
  { prim: powP, domains: [positive, any] },
  { prim: maxP, domains: [uniform(-3, 0), uniform(0.1, 3)] },
  { prim: minP, domains: [uniform(-3, 0), uniform(0.1, 3)] },
  { prim: atan2P, domains: [awayFromZero, awayFromZero] },
  { prim: selectP, domains: [predicate, any, any], bool: [0] },
  { prim: stopGradientP, domains: [any], zeroDerivative: true, declaredZero: true },
];

const SHAPE = [2, 3];
const N = 6;

function operands(spec: DiffSpec): ConcreteTensor[] {
  return spec.domains.map((d, i) => tensor(sample(d, N), SHAPE, spec.bool?.includes(i) ? "bool" : "float64"));
}

/** The primitive at `xs + h * ts` (bool operands unchanged). */
function shifted(spec: DiffSpec, xs: ConcreteTensor[], ts: number[][], h: number): number[] {
  const moved = xs.map((x, i) => (spec.bool?.includes(i) ? x : tensor(values(x).map((v, k) => v + h * ts[i]![k]!), SHAPE)));
  return values(bind1(spec.prim, moved));
}

describe("jvp rules agree with central finite differences (float64)", () => {
  for (const spec of DIFFERENTIABLE) {
    it(spec.prim.name, () => {
      const xs = operands(spec);
      const ts = xs.map(() => sample(uniform(-1, 1), N));
      const tangents = xs.map((_, i) => (spec.bool?.includes(i) ? null : tensor(ts[i]!, SHAPE)));
      const [[out], [tOut]] = spec.prim.jvp!(xs, tangents, {});
      expect(values(out!)).toEqual(values(bind1(spec.prim, xs)));
      const h = 1e-6;
      const plus = shifted(spec, xs, ts, h);
      const minus = shifted(spec, xs, ts, -h);
      const fd = plus.map((p, k) => (p - minus[k]!) / (2 * h));
      if (spec.zeroDerivative) {
        expect(tOut).toBeNull();
        if (!spec.declaredZero) for (const v of fd) expect(v).toBe(0);
        return;
      }
      expect(tOut).not.toBeNull();
      expect(tOut!.dtype).toBe("float64");
      values(tOut!).forEach((v, k) => expect(Math.abs(v - fd[k]!)).toBeLessThan(1e-6 * (1 + Math.abs(fd[k]!))));
    });
  }
});

describe("vjp rules are the transposes of the jvp rules: <vjp(ct), t> = <ct, jvp(t)>", () => {
  for (const spec of DIFFERENTIABLE) {
    it(spec.prim.name, () => {
      const xs = operands(spec);
      const ts = xs.map(() => sample(uniform(-1, 1), N));
      const tangents = xs.map((_, i) => (spec.bool?.includes(i) ? null : tensor(ts[i]!, SHAPE)));
      const [[out], [tOut]] = spec.prim.jvp!(xs, tangents, {});
      const ct = sample(uniform(-1, 1), N);
      const cts = spec.prim.vjp!([tensor(ct, SHAPE)], xs, [out!], {}, xs.map(() => true));
      expect(cts).toHaveLength(xs.length);
      let lhs = 0;
      cts.forEach((c, i) => {
        if (spec.bool?.includes(i)) expect(c).toBeNull();
        if (c) {
          expect(c.shape).toEqual(SHAPE);
          lhs += dot(values(c), ts[i]!);
        }
      });
      const rhs = tOut ? dot(ct, values(tOut)) : 0;
      if (spec.zeroDerivative) expect(cts.every((c) => c === null)).toBe(true);
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * (1 + Math.abs(rhs)));
    });
  }
});

describe("jvp and vjp rules handle symbolic zeros", () => {
  it("a null tangent contributes nothing, and all-null tangents give null", () => {
    const x = tensor([1, 2], [2]);
    const y = tensor([3, 5], [2]);
    const t = tensor([1, 1], [2]);
    for (const prim of [addP, subP, mulP, divP, powP, maxP, minP, atan2P, remP]) {
      const [, [both]] = prim.jvp!([x, y], [null, null], {});
      expect(both, prim.name).toBeNull();
      const [, [onlyX]] = prim.jvp!([x, y], [t, null], {});
      const [, [full]] = prim.jvp!([x, y], [t, tensor([0, 0], [2])], {});
      expect(values(onlyX!), prim.name).toEqual(values(full!));
    }
    expect(u.expP.jvp!([x], [null], {})[1]).toEqual([null]);
    const [, [sub]] = subP.jvp!([x, y], [null, t], {});
    expect(values(sub!)).toEqual([-1, -1]);
  });

  it("a null cotangent gives null cotangents; needsGrad = false skips an operand", () => {
    const x = tensor([1, 2], [2]);
    const y = tensor([3, 5], [2]);
    const out = bind1(mulP, [x, y]);
    expect(mulP.vjp!([null], [x, y], [out], {}, [true, true])).toEqual([null, null]);
    const [cx, cy] = mulP.vjp!([tensor([1, 1], [2])], [x, y], [out], {}, [false, true]);
    expect(cx).toBeNull();
    expect(values(cy!)).toEqual([1, 2]);
    const pred = tensor([1, 0], [2], "bool");
    const [, tTrue] = selectP.vjp!([tensor([7, 8], [2])], [pred, x, y], [out], {}, [false, true, false]);
    expect(values(tTrue!)).toEqual([7, 0]);
    const [, [tSel]] = selectP.jvp!([pred, x, y], [null, null, tensor([4, 4], [2])], {});
    expect(values(tSel!)).toEqual([0, 4]);
  });

  it("integer operands have null tangents and cotangents", () => {
    const i = tensor([3, -4], [2], "int32");
    const j = tensor([2, 5], [2], "int32");
    const ti = tensor([1, 1], [2], "int32");
    for (const prim of [addP, subP, mulP, divP, remP, maxP]) {
      expect(prim.jvp!([i, j], [ti, ti], {})[1], prim.name).toEqual([null]);
      expect(prim.vjp!([ti], [i, j], [bind1(prim, [i, j])], {}, [true, true]), prim.name).toEqual([null, null]);
    }
    expect(negP.jvp!([i], [ti], {})[1]).toEqual([null]);
    expect(u.absP.vjp!([ti], [i], [i], {}, [true])).toEqual([null]);
  });

  it("max and min split the derivative ½/½ on ties (JAX's rule)", () => {
    const x = tensor([2, 2, 1], [3]);
    const y = tensor([2, 1, 2], [3]);
    const one = tensor([1, 1, 1], [3]);
    for (const prim of [maxP, minP]) {
      const out = bind1(prim, [x, y]);
      const [cx, cy] = prim.vjp!([one], [x, y], [out], {}, [true, true]);
      expect(values(cx!), prim.name).toEqual(prim === maxP ? [0.5, 1, 0] : [0.5, 0, 1]);
      expect(values(cy!), prim.name).toEqual(prim === maxP ? [0.5, 0, 1] : [0.5, 1, 0]);
    }
  });

  it("pow has finite derivatives at x = 0 and y = 0, as JAX", () => {
    const x = tensor([0, 0, 3], [3]);
    const y = tensor([2, 0, 0], [3]);
    const out = bind1(powP, [x, y]);
    const [cx, cy] = powP.vjp!([tensor([1, 1, 1], [3])], [x, y], [out], {}, [true, true]);
    expect(values(cx!)).toEqual([0, 0, 0]);
    expect(values(cy!)).toEqual([0, 0, Math.log(3)]);
  });

  it("abs has derivative 1 at 0, as JAX", () => {
    const x = tensor([0, -0, -2], [3]);
    const [, [t]] = u.absP.jvp!([x], [tensor([1, 1, 1], [3])], {});
    expect(values(t!)).toEqual([1, 1, -1]);
  });
});

describe("non-differentiable primitives", () => {
  const f = tensor([1, -2], [2], "float32");
  const g = tensor([1, 3], [2], "float32");
  const i = tensor([6, 3], [2], "int32");
  const b = tensor([1, 0], [2], "bool");
  const cases: [Primitive, ConcreteTensor[], object][] = [
    [eqP, [f, g], {}],
    [neP, [f, g], {}],
    [ltP, [f, g], {}],
    [leP, [f, g], {}],
    [gtP, [f, g], {}],
    [geP, [f, g], {}],
    [u.isFiniteP, [f], {}],
    [u.notP, [b], {}],
    [andP, [i, i], {}],
    [orP, [b, b], {}],
    [xorP, [i, i], {}],
    [shiftLeftP, [i, i], {}],
    [shiftRightLogicalP, [i, i], {}],
    [shiftRightArithmeticP, [i, i], {}],
    [bitcastConvertTypeP, [f], { newDtype: "uint32" }],
  ];
  for (const [prim, args, params] of cases) {
    it(`${prim.name}: marked non-differentiable, null tangents and cotangents`, () => {
      expect(prim.nonDifferentiable).toBe(true);
      const [[out], [t]] = prim.jvp!(args, args.map(() => tensor([1, 1], [2], "float32")), params);
      expect(values(out!)).toEqual(values(bind1(prim, args, params)));
      expect(t).toBeNull();
      expect(prim.vjp!([out!], args, [out!], params, args.map(() => true)).every((c) => c === null)).toBe(true);
    });
  }
});

describe("batch rules agree with a loop over examples", () => {
  const B = 3;
  const float = (gen: () => number) => (shape: number[]) => tensor(sample(gen, shape.reduce((a, b) => a * b, 1)), shape);
  const int = (shape: number[]) => tensor(sample(() => Math.floor(uniform(-40, 40)()), shape.reduce((a, c) => a * c, 1)), shape, "int32");
  const boolean = (shape: number[]) => tensor(sample(predicate, shape.reduce((a, c) => a * c, 1)), shape, "bool");
  type Maker = (shape: number[]) => ConcreteTensor;
  const specs: [Primitive, Maker[], object][] = [
    ...DIFFERENTIABLE.map((s): [Primitive, Maker[], object] => [s.prim, s.domains.map((d, i) => (s.bool?.includes(i) ? boolean : float(d))), {}]),
    [eqP, [float(any), float(any)], {}],
    [ltP, [int, int], {}],
    [u.isFiniteP, [float(any)], {}],
    [u.notP, [int], {}],
    [andP, [boolean, boolean], {}],
    [xorP, [int, int], {}],
    [shiftRightArithmeticP, [int, int], {}],
    [bitcastConvertTypeP, [int], { newDtype: "float32" }],
  ];

  /** Example `k` of `x` along axis `d` (a view). */
  const example = (x: Tensor, d: number, k: number): ConcreteTensor => {
    const c = moveAxis(x, d, 0).concrete();
    return ConcreteTensor.view(c, c.shape.slice(1), c.stride.slice(1), c.offset + k * c.stride[0]!);
  };

  for (const [prim, makers, params] of specs) {
    it(prim.name, () => {
      const inner = [2, 2];
      // Each operand: batched along axis 0, batched along axis 1 (a transposed view), or unbatched.
      for (let pattern = 0; pattern < 3; pattern++) {
        const dims: (number | null)[] = makers.map((_, i) => (i === 0 ? pattern % 2 : (pattern + i) % 3 === 2 ? null : 1 - (pattern % 2)));
        if (!dims.some((d) => d !== null)) dims[0] = 0;
        const args = makers.map((make, i) => {
          const d = dims[i] ?? null;
          if (d === null) return make(inner);
          const full = make([B, ...inner]);
          return d === 0 ? full : moveAxis(full, 0, d);
        });
        const [[out], [outDim]] = prim.batch!(args, dims, params);
        expect(out!.shape[outDim!]).toBe(B);
        for (let k = 0; k < B; k++) {
          const exampleArgs = args.map((a, i) => (dims[i] === null ? (a as ConcreteTensor) : example(a, dims[i]!, k)));
          const want = bind1(prim, exampleArgs, params);
          const got = example(out!, outDim!, k);
          expect(got.dtype).toBe(want.dtype);
          expect(Array.from(got.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
        }
      }
    });
  }
});
