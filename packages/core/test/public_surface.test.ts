/**
 * The calling conventions over core's whole public surface, one table entry per export of `np`,
 * `nn`, `random`, `tree` and the package root: (a) where there is an axis, the positional form
 * equals the `{ axis }` form; (b) an unknown option name is an `UnknownOptionError` naming it;
 * (c) an out-of-range axis is an `AxisError` naming the axis and the rank; (d) a wrong-typed
 * argument throws a typed `CoreError`. The table must list every export (and only exports), so
 * a new export fails here until it is audited.
 */
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { ArgumentTypeError, AxisError, CoreError, UnknownOptionError, data, np, nn, random, tree, type Tensor } from "../src/index.js";

/** One export's checks; `note` marks exports that are not functions (classes, constants). */
interface Entry {
  /** A call with an argument of the wrong type. */
  wrong?: () => unknown;
  /** A call with the option name `bogus`. */
  unknown?: () => unknown;
  /** Pairs of calls that must agree: the positional axis form and the `{ axis }` form. */
  axis?: [() => Tensor, () => Tensor][];
  /** A call with an out-of-range axis. */
  outOfRange?: () => unknown;
  /** Why an export has no call checks (a class, constant or error type). */
  note?: string;
}

const x = np.reshape(np.arange(24, { dtype: "float32" }), [2, 3, 4]);
const k = random.key(0);
const bogus = { bogus: 1 } as never;
const str = "1" as never;

const unary = (f: (a: never) => unknown): Entry => ({ wrong: () => f(str) });
const binary = (f: (a: never, b: never) => unknown): Entry => ({ wrong: () => f(x as never, str) });
const notAFunction = (note: string): Entry => ({ note });

const npTable: Record<keyof typeof np, Entry> = {
  array: { wrong: () => np.array(str), unknown: () => np.array([1], bogus) },
  asTensor: unary(np.asTensor),
  astype: { wrong: () => np.astype(x, "float16" as never) },
  broadcastShapes: { wrong: () => np.broadcastShapes("op", 3 as never) },
  broadcastTo: { wrong: () => np.broadcastTo(x, 3 as never) },
  resultType: { wrong: () => np.resultType(1 as never) },
  add: binary(np.add),
  subtract: binary(np.subtract),
  multiply: binary(np.multiply),
  divide: binary(np.divide),
  floorDivide: binary(np.floorDivide),
  remainder: binary(np.remainder),
  power: binary(np.power),
  negative: unary(np.negative),
  square: unary(np.square),
  reciprocal: unary(np.reciprocal),
  maximum: binary(np.maximum),
  minimum: binary(np.minimum),
  clip: { wrong: () => np.clip(x, str, null) },
  where: { wrong: () => np.where(str, x, x) },
  abs: unary(np.abs),
  sign: unary(np.sign),
  floor: unary(np.floor),
  ceil: unary(np.ceil),
  round: unary(np.round),
  sqrt: unary(np.sqrt),
  rsqrt: unary(np.rsqrt),
  exp: unary(np.exp),
  expm1: unary(np.expm1),
  log: unary(np.log),
  log1p: unary(np.log1p),
  log2: unary(np.log2),
  log10: unary(np.log10),
  sin: unary(np.sin),
  cos: unary(np.cos),
  tan: unary(np.tan),
  tanh: unary(np.tanh),
  arctan2: binary(np.arctan2),
  equal: binary(np.equal),
  notEqual: binary(np.notEqual),
  less: binary(np.less),
  lessEqual: binary(np.lessEqual),
  greater: binary(np.greater),
  greaterEqual: binary(np.greaterEqual),
  logicalAnd: binary(np.logicalAnd),
  logicalOr: binary(np.logicalOr),
  logicalXor: binary(np.logicalXor),
  logicalNot: unary(np.logicalNot),
  bitwiseAnd: binary(np.bitwiseAnd),
  bitwiseOr: binary(np.bitwiseOr),
  bitwiseXor: binary(np.bitwiseXor),
  bitwiseNot: unary(np.bitwiseNot),
  leftShift: binary(np.leftShift),
  rightShift: binary(np.rightShift),
  isfinite: unary(np.isfinite),
  isnan: unary(np.isnan),
  isinf: unary(np.isinf),
  allclose: { wrong: () => np.allclose(x, str), unknown: () => np.allclose(x, x, bogus) },
  stopGradient: unary(np.stopGradient),
  bitcastConvertType: { wrong: () => np.bitcastConvertType(x, "float16" as never) },
  zeros: { wrong: () => np.zeros(str), unknown: () => np.zeros([2], bogus) },
  ones: { wrong: () => np.ones(str), unknown: () => np.ones([2], bogus) },
  full: { wrong: () => np.full([2], str), unknown: () => np.full([2], 1, bogus) },
  zerosLike: { wrong: () => np.zerosLike(str), unknown: () => np.zerosLike(x, bogus) },
  onesLike: { wrong: () => np.onesLike(str), unknown: () => np.onesLike(x, bogus) },
  fullLike: { wrong: () => np.fullLike(x, str), unknown: () => np.fullLike(x, 1, bogus) },
  arange: { wrong: () => np.arange(str), unknown: () => np.arange(3, bogus) },
  linspace: { wrong: () => np.linspace(0, str), unknown: () => np.linspace(0, 1, 5, bogus) },
  eye: { wrong: () => np.eye(str), unknown: () => np.eye(2, 2, bogus) },
  sum: reduction(np.sum, true),
  prod: reduction(np.prod, true),
  mean: reduction(np.mean, true),
  max: reduction(np.max, true),
  min: reduction(np.min, true),
  argmax: reduction(np.argmax, false),
  argmin: reduction(np.argmin, false),
  cumsum: {
    ...reduction(np.cumsum, false),
    axis: [
      [() => np.cumsum(x, 1), () => np.cumsum(x, { axis: 1 })],
      [() => np.cumsum(x, -1, { reverse: true }), () => np.cumsum(x, { axis: -1, reverse: true })],
    ],
  },
  reshape: { wrong: () => np.reshape(x, str) },
  transpose: { wrong: () => np.transpose(x, str), outOfRange: () => np.transpose(x, [0, 1, 3]) },
  expandDims: {
    wrong: () => np.expandDims(x, str),
    unknown: () => np.expandDims(x, bogus),
    axis: [[() => np.expandDims(x, -1), () => np.expandDims(x, { axis: -1 })]],
    outOfRange: () => np.expandDims(x, 4),
  },
  squeeze: {
    wrong: () => np.squeeze(x, str),
    unknown: () => np.squeeze(x, bogus),
    axis: [[() => np.squeeze(np.ones([2, 1]), 1), () => np.squeeze(np.ones([2, 1]), { axis: 1 })]],
    outOfRange: () => np.squeeze(x, 3),
  },
  ravel: unary(np.ravel),
  flatten: unary(np.flatten),
  moveaxis: { wrong: () => np.moveaxis(x, str, 0), outOfRange: () => np.moveaxis(x, 3, 0) },
  swapaxes: { wrong: () => np.swapaxes(x, str, 0), outOfRange: () => np.swapaxes(x, 0, -4) },
  concatenate: joining(np.concatenate),
  stack: joining(np.stack),
  hstack: { wrong: () => np.hstack(x as never) },
  vstack: { wrong: () => np.vstack(x as never) },
  sort: sorting(np.sort),
  argsort: sorting(np.argsort),
  matmul: binary(np.matmul),
  dot: binary(np.dot),
  outer: binary(np.outer),
  take: {
    wrong: () => np.take(x, 0, str),
    unknown: () => np.take(x, 0, bogus),
    axis: [[() => np.take(x, np.array([1, 0]), 1), () => np.take(x, np.array([1, 0]), { axis: 1 })]],
    outOfRange: () => np.take(x, 0, 3),
  },
  slice: { wrong: () => np.slice(x, str, null) },
  at: { wrong: () => np.at(str, 0) },
  EdgeTable: notAFunction("class of np.edgeTable's result"),
  edgeTable: { wrong: () => np.edgeTable(str, [0]) },
  spmv: {
    wrong: () => np.spmv(np.ones([3]), np.ones([1]), str),
    unknown: () => np.spmv(np.ones([3]), np.ones([1]), np.edgeTable([0], [2]), bogus),
    axis: [[() => np.spmv(np.ones([3, 2]), np.ones([1]), np.edgeTable([0], [2]), 1, 0), () => np.spmv(np.ones([3, 2]), np.ones([1]), np.edgeTable([0], [2]), { numRows: 1, axis: 0 })]],
    outOfRange: () => np.spmv(np.ones([3]), np.ones([1]), np.edgeTable([0], [2]), 1, 1),
  },
  edgeDot: {
    wrong: () => np.edgeDot(np.ones([3]), np.ones([3]), str),
    unknown: () => np.edgeDot(np.ones([3]), np.ones([3]), np.edgeTable([0], [2]), bogus),
    axis: [[() => np.edgeDot(np.ones([3, 2]), np.ones([3, 2]), np.edgeTable([0], [2]), 0), () => np.edgeDot(np.ones([3, 2]), np.ones([3, 2]), np.edgeTable([0], [2]), { axis: 0 })]],
    outOfRange: () => np.edgeDot(np.ones([3]), np.ones([3]), np.edgeTable([0], [2]), 1),
  },
};

function reduction(f: (x: Tensor, ...rest: never[]) => Tensor, many: boolean): Entry {
  const g = f as (x: Tensor, ...rest: unknown[]) => Tensor;
  const pairs: [() => Tensor, () => Tensor][] = [
    [() => g(x, 1), () => g(x, { axis: 1 })],
    [() => g(x, -1, { keepdims: true }), () => g(x, { axis: -1, keepdims: true })],
  ];
  if (many) pairs.push([() => g(x, [0, 2]), () => g(x, { axis: [0, 2] })]);
  return { wrong: () => g(x, "1"), unknown: () => g(x, { bogus: 1 }), axis: pairs, outOfRange: () => g(x, 3) };
}

function joining(f: (xs: never, axis?: never) => Tensor): Entry {
  const g = f as (xs: unknown, axis?: unknown) => Tensor;
  return {
    wrong: () => g(x),
    unknown: () => g([x, x], { bogus: 1 }),
    axis: [[() => g([x, x], -1), () => g([x, x], { axis: -1 })]],
    outOfRange: () => g([x, x], 5),
  };
}

function sorting(f: (x: Tensor, axis?: never) => Tensor): Entry {
  const g = f as (x: Tensor, axis?: unknown) => Tensor;
  return { wrong: () => g(x, str), unknown: () => g(x, { bogus: 1 }), axis: [[() => g(x, 1), () => g(x, { axis: 1 })]], outOfRange: () => g(x, 3) };
}

const nnTable: Record<keyof typeof nn, Entry> = {
  relu: unary(nn.relu),
  gelu: { wrong: () => nn.gelu(str), unknown: () => nn.gelu(x, bogus) },
  sigmoid: unary(nn.sigmoid),
  tanh: unary(nn.tanh),
  softplus: unary(nn.softplus),
  silu: unary(nn.silu),
  identity: unary(nn.identity),
  softmax: reduction(nn.softmax as never, true),
  logSoftmax: reduction(nn.logSoftmax as never, true),
  logsumexp: reduction(nn.logsumexp as never, true),
  standardize: reduction(nn.standardize as never, true),
  oneHot: { wrong: () => nn.oneHot(np.array([0, 1], { dtype: "int32" }), str), unknown: () => nn.oneHot(np.array([0, 1], { dtype: "int32" }), 2, bogus) },
};
// softmax and logSoftmax take no keyword options after the axis: compare their plain forms only.
nnTable.softmax.axis = [[() => nn.softmax(x, 1), () => nn.softmax(x, { axis: 1 })], [() => nn.softmax(x, [0, 2]), () => nn.softmax(x, { axis: [0, 2] })]];
nnTable.standardize.axis = [[() => nn.standardize(x, 1, { epsilon: 1e-3 }), () => nn.standardize(x, { axis: 1, epsilon: 1e-3 })]];
nnTable.logSoftmax.axis = [[() => nn.logSoftmax(x, 1), () => nn.logSoftmax(x, { axis: 1 })]];

const logits = np.zeros([2, 3]);
const randomTable: Record<keyof typeof random, Entry> = {
  key: { wrong: () => random.key(str) },
  split: { wrong: () => random.split(k, str) },
  foldIn: { wrong: () => random.foldIn(k, str) },
  bits: { wrong: () => random.bits(k, 3 as never) },
  uniform: { wrong: () => random.uniform(k, 3 as never), unknown: () => random.uniform(k, [2], bogus) },
  normal: { wrong: () => random.normal(k, 3 as never), unknown: () => random.normal(k, [2], bogus) },
  truncatedNormal: { wrong: () => random.truncatedNormal(k, -1, 1, 3 as never), unknown: () => random.truncatedNormal(k, -1, 1, [2], bogus) },
  bernoulli: { wrong: () => random.bernoulli(k, str) },
  randint: { wrong: () => random.randint(k, 3 as never, 0, 2), unknown: () => random.randint(k, [2], 0, 2, bogus) },
  permutation: {
    wrong: () => random.permutation(k, x, str),
    unknown: () => random.permutation(k, x, bogus),
    axis: [[() => random.permutation(k, x, 1), () => random.permutation(k, x, { axis: 1 })]],
    outOfRange: () => random.permutation(k, x, 3),
  },
  gumbel: { wrong: () => random.gumbel(k, 3 as never), unknown: () => random.gumbel(k, [2], bogus) },
  categorical: {
    wrong: () => random.categorical(k, logits, str),
    unknown: () => random.categorical(k, logits, bogus),
    axis: [[() => random.categorical(k, logits, 0), () => random.categorical(k, logits, { axis: 0 })]],
    outOfRange: () => random.categorical(k, logits, 2),
  },
  choice: { wrong: () => random.choice(k, str), unknown: () => random.choice(k, 5, [2], bogus), outOfRange: () => random.choice(k, x, [1], { axis: 3 }) },
  toPureRandGenerator: { wrong: () => random.toPureRandGenerator(str) },
  nextafter: binary(random.nextafter as never),
};

const treeTable: Record<keyof typeof tree, Entry> = {
  flatten: { wrong: () => tree.flatten([1], str), unknown: () => tree.flatten([1], bogus) },
  unflatten: { wrong: () => tree.unflatten(str, []) },
  map: { wrong: () => tree.map(str, [1]), unknown: () => tree.map(bogus, (v: number) => v, [1]) },
  leaves: { wrong: () => tree.leaves([1], str), unknown: () => tree.leaves([1], bogus) },
  structure: { wrong: () => tree.structure([1], str), unknown: () => tree.structure([1], bogus) },
  flattenUpTo: { wrong: () => tree.flattenUpTo(str, [1]), unknown: () => tree.flattenUpTo(tree.structure([1]), [1], bogus) },
  leavesWithPath: { wrong: () => tree.leavesWithPath([1], str), unknown: () => tree.leavesWithPath([1], bogus) },
  formatPath: { wrong: () => tree.formatPath(str) },
  TreeDef: notAFunction("class of tree.structure's result"),
  registerNode: { wrong: () => tree.registerNode(str, {} as never) },
  isRegisteredNode: notAFunction("a predicate: any value is a valid question"),
  staticKey: notAFunction("takes any value"),
  staticEquals: notAFunction("takes any values"),
  staticCertainlyEqual: notAFunction("takes any values"),
  TreeStructureError: notAFunction("error class"),
  serialiseLeaves: { wrong: () => tree.serialiseLeaves([x], str), unknown: () => tree.serialiseLeaves([x], bogus) },
  deserialiseLeaves: { wrong: () => tree.deserialiseLeaves([x], str), unknown: () => tree.deserialiseLeaves([x], tree.serialiseLeaves([x]), bogus) },
  serialisedMetadata: { wrong: () => tree.serialisedMetadata(str) },
  leafName: { wrong: () => tree.leafName(str) },
  encodeSafetensors: { wrong: () => tree.encodeSafetensors(str) },
  decodeSafetensors: { wrong: () => tree.decodeSafetensors(str) },
  readSafetensorsMetadata: { wrong: () => tree.readSafetensorsMetadata(str) },
  METADATA_KEY: notAFunction("constant"),
  SerialisationError: notAFunction("error class"),
  CorruptFileError: notAFunction("error class"),
};

/** The package root beyond the namespaces: classes, error types and low-level helpers. */
const rootTable: Record<string, Entry> = {
  np: notAFunction("namespace, audited above"),
  nn: notAFunction("namespace, audited above"),
  random: notAFunction("namespace, audited above"),
  tree: notAFunction("namespace, audited above"),
  data: notAFunction("namespace, audited above"),
  Module: notAFunction("base class"),
  isArray: notAFunction("a predicate over any value"),
  isInexactArray: notAFunction("a predicate over any value"),
  filter: { wrong: () => core.filter([x], str), unknown: () => core.filter([x], core.isArray, bogus) },
  partition: { wrong: () => core.partition([x], str), unknown: () => core.partition([x], core.isArray, bogus) },
  combine: notAFunction("takes any trees"),
  treeAt: { wrong: () => core.treeAt(str, [x]), unknown: () => core.treeAt((t: Tensor[]) => t[0], [x], x, bogus) },
  applyUpdates: { wrong: () => core.applyUpdates([x], str) },
  setNumThreads: { wrong: () => core.setNumThreads(str) },
  numThreads: notAFunction("takes no argument"),
};
for (const name of Object.keys(core)) {
  const value = (core as Record<string, unknown>)[name];
  if (name in rootTable) continue;
  // Error classes, dtype helpers and the primitive machinery are audited where they are defined.
  if (typeof value === "function" && /Error$/.test(name)) rootTable[name] = notAFunction("error class");
}
const ROOT_LOW_LEVEL: Record<string, Entry> = {
  Tensor: notAFunction("class"),
  ConcreteTensor: notAFunction("class"),
  definePrimitive: notAFunction("low-level: defines a primitive from a rule table"),
  allPrimitives: notAFunction("takes no argument"),
  bind: notAFunction("low-level: applies a primitive"),
  bind1: notAFunction("low-level: applies a primitive"),
  Trace: notAFunction("class"),
  Tracer: notAFunction("class"),
  concretizationError: notAFunction("builds an error"),
  fusedKernel: notAFunction("low-level backend kernel (leaves the public surface with the private backend)"),
  DTYPES: notAFunction("constant"),
  typedArrayFor: notAFunction("low-level backend helper (leaves the public surface with the private backend)"),
  allocate: notAFunction("low-level backend helper (leaves the public surface with the private backend)"),
  recycle: notAFunction("low-level backend helper (leaves the public surface with the private backend)"),
  isDType: notAFunction("a predicate over any value"),
  assertDType: { wrong: () => core.assertDType(str, "f") },
  isFloat: notAFunction("a predicate over a dtype"),
  isInteger: notAFunction("a predicate over a dtype"),
  isUnsigned: notAFunction("a predicate over a dtype"),
  isBool: notAFunction("a predicate over a dtype"),
  dtypeOfTypedArray: notAFunction("low-level: the dtype of a typed array"),
  promoteTypes: notAFunction("low-level: type promotion of two type infos"),
  resultTypeOf: notAFunction("low-level: type promotion"),
  castScalar: notAFunction("low-level: scalar cast"),
  itemSize: notAFunction("low-level: bytes per element"),
};
for (const [name, entry] of Object.entries(ROOT_LOW_LEVEL)) if (name in core) rootTable[name] = entry;

const dataTable: Record<keyof typeof data, Entry> = {
  batches: { wrong: () => data.batches(k, [x], str), unknown: () => data.batches(k, [x], 1, bogus) },
  readIdx: { wrong: () => data.readIdx(str), unknown: () => data.readIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 0]), bogus) },
};

const namespaces: [string, object, Record<string, Entry>][] = [
  ["np", np, npTable],
  ["nn", nn, nnTable],
  ["random", random, randomTable],
  ["tree", tree, treeTable],
  ["data", data, dataTable],
  ["@connex/core", core, rootTable],
];

describe.each(namespaces)("%s", (_name, ns, table) => {
  it("has one table entry per export, and none for names it does not export", () => {
    expect(Object.keys(table).sort()).toEqual(Object.keys(ns).sort());
  });
  const entries = Object.entries(table);
  const withWrong = entries.filter(([, e]) => e.wrong !== undefined);
  const withUnknown = entries.filter(([, e]) => e.unknown !== undefined);
  const withAxis = entries.filter(([, e]) => e.axis !== undefined);
  const withRange = entries.filter(([, e]) => e.outOfRange !== undefined);
  it("every function has a wrong-type check or a note saying why not", () => {
    for (const [name, e] of entries) expect(e.wrong !== undefined || e.note !== undefined, name).toBe(true);
  });
  it.each(withWrong)("%s rejects a wrong-typed argument with a typed error", (_n, e) => {
    expect(e.wrong!).toThrow(CoreError);
  });
  it.each(withUnknown.length > 0 ? withUnknown : [["(none)", {}] as [string, Entry]])("%s rejects an unknown option, naming it", (n, e) => {
    if (e.unknown === undefined) return;
    expect(e.unknown).toThrow(UnknownOptionError);
    expect(e.unknown).toThrow(/"bogus"/);
    expect(e.unknown).toThrow(new RegExp(n.replace(/^.*\./, "")));
  });
  it.each(withAxis.length > 0 ? withAxis : [["(none)", {}] as [string, Entry]])("%s: the positional axis equals { axis }", (_n, e) => {
    for (const [positional, keyword] of e.axis ?? []) {
      const a = positional();
      const b = keyword();
      expect(a.shape).toEqual(b.shape);
      expect(a.toArray()).toEqual(b.toArray());
    }
  });
  it.each(withRange.length > 0 ? withRange : [["(none)", {}] as [string, Entry]])("%s rejects an out-of-range axis with AxisError", (_n, e) => {
    if (e.outOfRange === undefined) return;
    expect(e.outOfRange).toThrow(AxisError);
    expect(e.outOfRange).toThrow(/out of bounds|repeated|permute/);
  });
});

describe("calling conventions in detail", () => {
  it("np.sum(x, 1) reduces axis 1 only (it used to sum everything)", () => {
    expect(np.sum(x, 1).shape).toEqual([2, 4]);
    expect(np.sum(x, 1).toArray()).toEqual(np.sum(x, { axis: 1 }).toArray());
  });
  it("an axis given both ways, or something after the options object, is an ArgumentTypeError", () => {
    expect(() => np.sum(x, 1, { axis: 1 } as never)).toThrow(ArgumentTypeError);
    expect(() => (np.sum as (...a: unknown[]) => Tensor)(x, { axis: 1 }, { keepdims: true })).toThrow(ArgumentTypeError);
  });
  it("the AxisError names the function, the axis and the rank", () => {
    expect(() => np.sum(x, 5)).toThrow(/sum: axis 5 is out of bounds for an array of shape \[2, 3, 4\] \(rank 3\)/);
  });
  it("sum, prod and mean take where and dtype", () => {
    const mask = np.array([true, false, true, false]);
    expect(np.sum(np.array([1, 2, 3, 4]), 0, { where: mask }).item()).toBe(4);
    expect(np.prod(np.array([1, 2, 3, 4]), null, { where: mask }).item()).toBe(3);
    expect(np.mean(np.array([1, 2, 3, 4]), { where: mask }).item()).toBe(2);
    expect(np.sum(np.array([1, 2]), { dtype: "float64" }).dtype).toBe("float64");
  });
  it("max and min take initial and where (where needs initial, as NumPy)", () => {
    const v = np.array([[1, 5], [3, -2]]);
    const mask = np.array([[true, false], [true, true]]);
    expect(np.max(v, 1, { where: mask, initial: 0 }).toArray()).toEqual([1, 3]);
    expect(np.min(v, { axis: 0, where: mask, initial: 10 }).toArray()).toEqual([1, -2]);
    expect(np.max(v, null, { initial: 7 }).item()).toBe(7);
    expect(np.max(np.zeros([0]), 0, { initial: -1 }).toArray()).toEqual(-1);
    expect(() => np.max(v, 0, { where: mask })).toThrow(/needs|no identity/);
    expect(np.max(v, 1, { where: mask, initial: 0 }).dtype).toBe("int32");
  });
  it("creation functions take the dtype positionally, as JAX", () => {
    expect(np.zeros([2], "int32").dtype).toBe("int32");
    expect(np.array([1, 2], "float64").dtype).toBe("float64");
  });
  it("leaves its inputs untouched when it rejects a call", () => {
    const before = x.toArray();
    expect(() => np.sum(x, { axes: 1 } as never)).toThrow(UnknownOptionError);
    expect(x.toArray()).toEqual(before);
  });
});
