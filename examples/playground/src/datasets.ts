/**
 * The Playground's 2-D classification datasets, each made from an explicit PRNG key (the same
 * key and settings give the same points, in every browser and in Node): two classes labelled
 * 0 and 1, points in about [-1, 1]², Gaussian noise of standard deviation `noise` added to the
 * coordinates.
 */
import { np, random, type Tensor } from "@connex/core";

/** The datasets on offer. */
export const DATASETS = ["circles", "xor", "gaussians", "spirals"] as const;
export type DatasetName = (typeof DATASETS)[number];

/** A dataset: `x` is `[n, 2]` float32, `y` is `[n]` float32 of 0s and 1s; `points` the same as plain numbers, for drawing. */
export interface Dataset {
  name: DatasetName;
  x: Tensor;
  y: Tensor;
  points: { x1: number; x2: number; label: 0 | 1 }[];
}

/** The uniform [0, 1) and standard normal draws a dataset is built from, as plain arrays. */
interface Draws {
  u: Float32Array; // n × 2 uniforms
  z: Float32Array; // n × 2 normals (the noise)
}

function draws(key: Tensor, n: number): Draws {
  const [ku, kz] = random.split(key);
  return { u: random.uniform(ku!, [n, 2]).toTypedArray() as Float32Array, z: random.normal(kz!, [n, 2]).toTypedArray() as Float32Array };
}

type Shape = (i: number, u1: number, u2: number) => [x1: number, x2: number, label: 0 | 1];

const SHAPES: Readonly<Record<DatasetName, (n: number) => Shape>> = {
  // Inner disc (class 1) inside a ring (class 0), equal counts.
  circles: (n) => (i, u1, u2) => {
    const inner = i < n / 2;
    const r = inner ? 0.45 * Math.sqrt(u1) : 0.7 + 0.3 * u1;
    const a = 2 * Math.PI * u2;
    return [r * Math.cos(a), r * Math.sin(a), inner ? 1 : 0];
  },
  // Uniform in the square; class 1 where the coordinates have the same sign. Points too near an
  // axis are pushed off it, so the classes are separable before noise.
  xor: () => (_i, u1, u2) => {
    const push = (v: number) => (v < 0 ? v - 0.05 : v + 0.05);
    const x1 = push(2 * u1 - 1) / 1.05;
    const x2 = push(2 * u2 - 1) / 1.05;
    return [x1, x2, x1 * x2 > 0 ? 1 : 0];
  },
  // Two round clusters (standard deviation 0.25) centred at (0.45, 0.45) and (-0.45, -0.45).
  gaussians: (n) => (i, u1, u2) => {
    const c = i < n / 2 ? 0.45 : -0.45;
    // Box–Muller from the two uniforms (the noise draws are kept for the noise).
    const r = Math.sqrt(-2 * Math.log(1 - u1)) * 0.25;
    return [c + r * Math.cos(2 * Math.PI * u2), c + r * Math.sin(2 * Math.PI * u2), i < n / 2 ? 1 : 0];
  },
  // Two interleaved spirals, 1.75 turns each.
  spirals: (n) => (i, u1) => {
    const cls = i < n / 2 ? 1 : 0;
    const t = 0.08 + 0.92 * u1;
    const a = 1.75 * 2 * Math.PI * t + (cls === 1 ? 0 : Math.PI);
    return [t * Math.cos(a), t * Math.sin(a), cls];
  },
};

/**
 * `n` points of dataset `name` from `key`, with coordinate noise of standard deviation `noise`.
 *
 * @example
 * makeDataset("xor", random.key(0), 200, 0.1).x.shape; // [200, 2]
 */
export function makeDataset(name: DatasetName, key: Tensor, n: number, noise: number): Dataset {
  if (!DATASETS.includes(name)) throw new Error(`unknown dataset ${JSON.stringify(name)} (one of ${DATASETS.join(", ")})`);
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`dataset size must be an integer >= 2, got ${n}`);
  if (!(noise >= 0 && noise <= 1)) throw new Error(`noise must be in [0, 1], got ${noise}`);
  const { u, z } = draws(key, n);
  const shape = SHAPES[name](n);
  const xs = new Float32Array(2 * n);
  const ys = new Float32Array(n);
  const points: Dataset["points"] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, label] = shape(i, u[2 * i]!, u[2 * i + 1]!);
    const x1 = a + noise * z[2 * i]!;
    const x2 = b + noise * z[2 * i + 1]!;
    xs[2 * i] = x1;
    xs[2 * i + 1] = x2;
    ys[i] = label;
    points.push({ x1, x2, label });
  }
  return { name, x: np.array(xs).reshape([n, 2]), y: np.array(ys), points };
}
