/**
 * `treeAt`: Equinox's `tree_at`, the out-of-place update of chosen parts of a pytree.
 */
import { ValueError } from "../errors.js";
import { checkOptions } from "../arguments.js";
import { Tensor } from "../tensor.js";
import { frozenCopy, isPlainContainer, markDeeplyFrozen, setOwn } from "./freeze.js";
import { buildModule, Module, moduleLayout, type ModuleLayout } from "./module.js";
import { nodeTypeOfConstructor, type NodeType } from "./registry.js";
import { formatPath, type IsLeaf } from "./tree.js";

/** Options of `treeAt`. */
export interface TreeAtOptions {
  /** Compute each replacement from the part it replaces (instead of passing `replace`). */
  replaceFn?: (part: any) => unknown;
  /** Subtrees for which this returns true are leaves: `where` can select them but not look inside. */
  isLeaf?: IsLeaf;
}

/**
 * What `where` sees in place of each leaf (and of each `null`/`undefined`, so that those
 * positions can be selected and replaced too).
 */
class Placeholder {
  constructor(readonly path: string) {
    Object.freeze(this);
  }
  toString(): string {
    return `<treeAt placeholder for ${this.path}>`;
  }
}

type Kind = "leaf" | "array" | "object" | "map" | "module" | "custom";

/** One position of the tree, built alongside the copy that `where` navigates. */
interface Entry {
  readonly original: unknown;
  readonly kind: Kind;
  readonly parent: Entry | null;
  readonly path: readonly (string | number)[];
  /** Children entries and where they sit in the node (index, key, Map key, field name). */
  readonly children: Entry[];
  readonly slots: unknown[];
  /** Custom nodes: the type and the aux data. */
  custom?: { type: NodeType; data: unknown };
  /** Index of the replacement aimed at this position, or -1. */
  target: number;
  /** Whether a target lies strictly below this position. */
  onPath: boolean;
}

/**
 * A copy of `t` with the parts that `where` selects replaced: by `replace` (one value, or an
 * array of values when `where` returns an array of parts), or by `options.replaceFn(part)`.
 *
 * `where` receives a stand-in of `t` with the same nodes but fresh objects and with
 * placeholders for leaves, `null` and `undefined`; the parts it returns are found by identity,
 * so selecting works for numbers, shared leaves and null fields alike. `where` must therefore
 * navigate the structure only (e.g. `m => m.layers[0].weight`, or `m => [m.a, m.b]`), not
 * compute with leaves. Static module fields are part of the structure, not parts of the tree:
 * use `module.replace` for them. The result shares every untouched node and leaf with `t`;
 * modules on the way are rebuilt frozen, without calling their constructors.
 *
 * @example
 * const updated = treeAt((m) => m.layers[0].bias, model, np.zeros([4]));
 */
export function treeAt<T>(where: (t: T) => unknown, t: T, replace?: unknown, options: TreeAtOptions = {}): T {
  if (typeof where !== "function") throw new ValueError(`treeAt: where must be a function selecting parts of the tree, got ${typeof where}`);
  const { replaceFn, isLeaf } = checkOptions("treeAt", options, ["replaceFn", "isLeaf"]);
  if (replaceFn !== undefined && typeof replaceFn !== "function") throw new ValueError(`treeAt: replaceFn must be a function, got ${typeof replaceFn}`);
  if (replaceFn !== undefined && replace !== undefined) throw new ValueError("treeAt: pass either replace or options.replaceFn, not both");
  if (replaceFn === undefined && arguments.length < 3) throw new ValueError("treeAt: pass the replacement (or options.replaceFn)");

  const byMirror = new Map<unknown, Entry>();
  const [mirror, root] = mirrorOf(t, null, [], isLeaf, byMirror);

  let selected: unknown;
  try {
    selected = where(mirror as T);
  } catch (e) {
    throw new ValueError(
      `treeAt: where threw while selecting (${e instanceof Error ? e.message : String(e)}); where sees the tree with ` +
        `its leaves replaced by placeholders, so it must only navigate the structure, not compute with leaves`,
    );
  }

  let targets: Entry[];
  let single: boolean;
  const found = byMirror.get(selected);
  if (found !== undefined) {
    targets = [found];
    single = true;
  } else if (Array.isArray(selected)) {
    single = false;
    targets = selected.map((s, i) => {
      const e = byMirror.get(s);
      if (e === undefined) throw notInTree(s, `element ${i} of the array where returned`);
      return e;
    });
  } else {
    throw notInTree(selected, "where returned");
  }

  let replacements: unknown[];
  if (replaceFn !== undefined) {
    replacements = targets.map((e) => replaceFn(e.original));
  } else if (single) {
    replacements = [replace];
  } else {
    if (!Array.isArray(replace) || replace.length !== targets.length) {
      throw new ValueError(
        `treeAt: where selected ${targets.length} parts, so replace must be an array of ${targets.length} values, got ${Array.isArray(replace) ? `an array of length ${replace.length}` : typeof replace}`,
      );
    }
    replacements = replace;
  }

  targets.forEach((e, i) => {
    if (e.target !== -1) throw new ValueError(`treeAt: where selected ${formatPath(e.path)} more than once`);
    e.target = i;
  });
  for (const e of targets) {
    for (let p = e.parent; p !== null; p = p.parent) {
      if (p.target !== -1) {
        throw new ValueError(`treeAt: where selected both ${formatPath(p.path)} and ${formatPath(e.path)} inside it; select one or the other`);
      }
      p.onPath = true;
    }
  }
  return rebuild(root, replacements, false) as T;
}

function notInTree(x: unknown, what: string): ValueError {
  const shown =
    x instanceof Tensor
      ? `a tensor of shape [${x.shape.join(", ")}]`
      : typeof x === "function"
        ? `the function ${x.name || "(anonymous)"}`
        : typeof x === "object" && x !== null
          ? `a ${(Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "object"}`
          : String(x);
  return new ValueError(
    `treeAt: ${what} ${shown}, which is not a node or leaf of the tree. where must return parts of the tree it is ` +
      `given (e.g. m => m.layers[0].weight) or an array of them; static module fields and values computed from the ` +
      `tree cannot be replaced (use module.replace for static fields)`,
  );
}

function entry(original: unknown, kind: Kind, parent: Entry | null, path: (string | number)[]): Entry {
  return { original, kind, parent, path, children: [], slots: [], target: -1, onPath: false };
}

/** Build the stand-in tree `where` navigates, recording an entry for every position. */
function mirrorOf(x: unknown, parent: Entry | null, path: (string | number)[], isLeaf: IsLeaf | undefined, byMirror: Map<unknown, Entry>): [unknown, Entry] {
  const leaf = (): [unknown, Entry] => {
    const e = entry(x, "leaf", parent, path);
    const p = new Placeholder(formatPath(path));
    byMirror.set(p, e);
    return [p, e];
  };
  if (isLeaf?.(x) || x === null || x === undefined || typeof x !== "object" || x instanceof Tensor) return leaf();
  const proto = Object.getPrototypeOf(x) as { constructor?: unknown } | null;
  const custom = proto === Object.prototype || proto === null || Array.isArray(x) ? undefined : nodeTypeOfConstructor(proto.constructor);
  let kind: Kind;
  if (Array.isArray(x)) kind = "array";
  else if (proto === Object.prototype || proto === null) kind = "object";
  else if (custom !== undefined) kind = "custom";
  else if (x instanceof Module) kind = "module";
  else if (x instanceof Map) kind = "map";
  else return leaf();

  const e = entry(x, kind, parent, path);
  const child = (value: unknown, slot: unknown, step: string | number): unknown => {
    const [m, ce] = mirrorOf(value, e, [...path, step], isLeaf, byMirror);
    e.children.push(ce);
    e.slots.push(slot);
    return m;
  };
  let m: unknown;
  switch (kind) {
    case "array": {
      const arr = x as unknown[];
      m = Array.from(arr, (v, i) => child(v, i, i));
      break;
    }
    case "object": {
      const out = Object.create(proto) as Record<string, unknown>;
      for (const k of Object.keys(x)) setOwn(out, k, child((x as Record<string, unknown>)[k], k, k));
      m = out;
      break;
    }
    case "map": {
      const out = new Map<unknown, unknown>();
      let i = 0;
      for (const [k, v] of x as Map<unknown, unknown>) {
        out.set(k, child(v, k, typeof k === "string" || typeof k === "number" ? k : `<key ${i}>`));
        i++;
      }
      m = out;
      break;
    }
    case "module": {
      const layout = moduleLayout(x as Module);
      const rec = x as unknown as Record<string, unknown>;
      m = buildModule(
        layout,
        layout.fields.map((f, i) => (layout.isStatic[i] ? rec[f] : child(rec[f], f, f))),
      );
      break;
    }
    case "custom": {
      const [kids, data] = custom!.definition.flatten(x);
      e.custom = { type: custom!, data };
      m = custom!.definition.unflatten(data, kids.map((v, i) => child(v, i, i)));
      break;
    }
  }
  byMirror.set(m, e);
  return [m, e];
}

/** The updated value at a position: the replacement, the original, or a node rebuilt around changed children. */
function rebuild(e: Entry, replacements: readonly unknown[], inModule: boolean): unknown {
  if (e.target !== -1) {
    const r = replacements[e.target];
    return inModule && isPlainContainer(r) ? frozenCopy(r, "treeAt") : r;
  }
  if (!e.onPath) return e.original;
  const x = e.original;
  switch (e.kind) {
    case "array": {
      const out = (x as unknown[]).slice();
      e.children.forEach((c, i) => (out[e.slots[i] as number] = rebuild(c, replacements, inModule)));
      return inModule ? markDeeplyFrozen(out) : out;
    }
    case "object": {
      const out = Object.create(Object.getPrototypeOf(x) as object | null) as Record<string, unknown>;
      e.children.forEach((c, i) => setOwn(out, e.slots[i] as string, rebuild(c, replacements, inModule)));
      return inModule ? markDeeplyFrozen(out) : out;
    }
    case "map": {
      const out = new Map(x as Map<unknown, unknown>);
      e.children.forEach((c, i) => out.set(e.slots[i], rebuild(c, replacements, false)));
      return out;
    }
    case "module": {
      const layout: ModuleLayout = moduleLayout(x as Module);
      const rec = x as unknown as Record<string, unknown>;
      const byField = new Map<unknown, Entry>();
      e.children.forEach((c, i) => byField.set(e.slots[i], c));
      return buildModule(
        layout,
        layout.fields.map((f) => {
          const c = byField.get(f);
          return c === undefined ? rec[f] : rebuild(c, replacements, true);
        }),
      );
    }
    case "custom": {
      const { type, data } = e.custom!;
      return type.definition.unflatten(
        data,
        e.children.map((c) => rebuild(c, replacements, false)),
      );
    }
    case "leaf":
      return x;
  }
}
