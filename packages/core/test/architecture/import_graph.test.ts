/**
 * The architecture as a test: no import cycles between source files of any package, and the
 * layers import only downwards (see docs/ARCHITECTURE.md). Type-only imports are ignored
 * (they are erased at compile time; see `import_graph.ts`).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { findCycles, importsOf, packageSources, shortPath, sourceFiles, type Import } from "./import_graph.js";

const repoRoot = resolve(fileURLToPath(new URL("../../../../", import.meta.url)));
const packages = packageSources(repoRoot);
const files = new Map<string, { pkg: string; imports: Import[] }>();
for (const [pkg, src] of packages) for (const f of sourceFiles(src)) files.set(f, { pkg, imports: importsOf(f) });

/** The workspace packages' import names, by directory. */
const PACKAGE_NAMES: Record<string, string> = { core: "@connex/core", autodiff: "@connex/autodiff", optim: "@connex/optim", connex: "connex" };
/** For each package, the workspace entry points it may import: public entries of the packages below it. */
const ALLOWED_ENTRIES: Record<string, readonly string[]> = {
  core: [],
  // autodiff alone reaches the private backend boundary.
  autodiff: ["@connex/core", "@connex/core/internal"],
  optim: ["@connex/core", "@connex/autodiff"],
  connex: ["@connex/core", "@connex/autodiff", "@connex/optim"],
};
const isWorkspaceSpecifier = (s: string) => Object.values(PACKAGE_NAMES).some((name) => s === name || s.startsWith(`${name}/`));

/** Every run-time import, as `[importing file, import]`, optionally of one package only. */
function allImports(pkg?: string): [string, Import][] {
  const out: [string, Import][] = [];
  for (const [file, info] of files) if (pkg === undefined || info.pkg === pkg) for (const imp of info.imports) out.push([file, imp]);
  return out;
}

const coreSrc = packages.get("core")!;
/** The directory (or top-level file) of core a file belongs to: `primitives`, `np`, `backend`, `trace.ts`... */
const coreArea = (file: string) => relative(coreSrc, file).split(sep)[0]!;

describe("import graph helper", () => {
  const dir = mkdtempSync(join(tmpdir(), "import-graph-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds a cycle and names it as a closed path", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
    ]);
    expect(findCycles(graph)).toEqual([["a", "b", "c", "a"]]);
    expect(findCycles(new Map([["a", ["a"]]]))).toEqual([["a", "a"]]);
    expect(findCycles(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
  });

  it("keeps run-time imports and drops type-only ones", () => {
    const file = join(dir, "a.ts");
    writeFileSync(
      file,
      [
        'import type { T } from "./t1.js";',
        'import { type U, type V } from "./t2.js";',
        'export type { W } from "./t3.js";',
        'import { x, type Y } from "./r1.js";',
        'import "./r2.js";',
        'export * from "./r3.js";',
        'export { z } from "./r4.js";',
        'const m = () => import("./r5.js");',
        "// import { fake } from './comment.js';",
        'import * as ns from "@connex/core";',
      ].join("\n"),
    );
    expect(importsOf(file).map((i) => i.specifier)).toEqual(["./r1.js", "./r2.js", "./r3.js", "./r4.js", "./r5.js", "@connex/core"]);
    expect(importsOf(file)[0]!.target).toBe(join(dir, "r1.ts"));
  });
});

describe("import graph of packages/*/src", () => {
  it("parses every package", () => {
    expect([...packages.keys()].sort()).toEqual(Object.keys(PACKAGE_NAMES).sort());
    expect(files.size).toBeGreaterThan(100);
  });

  it("has no import cycles between files", () => {
    const graph = new Map<string, string[]>();
    for (const [file, info] of files) graph.set(file, info.imports.flatMap((i) => (i.target !== null ? [i.target] : [])));
    const cycles = findCycles(graph).map((c) => c.map((f) => shortPath(repoRoot, f)).join(" -> "));
    expect(cycles).toEqual([]);
  });

  it("resolves every relative import to a source file of the same package", () => {
    const bad: string[] = [];
    for (const [file, imp] of allImports()) {
      if (imp.target === null) continue;
      const src = packages.get(files.get(file)!.pkg)!;
      if (!files.has(imp.target) || !imp.target.startsWith(src + sep)) bad.push(`${shortPath(repoRoot, file)} imports ${imp.specifier}`);
    }
    expect(bad).toEqual([]);
  });

  it("imports packages only downwards, and only their public entries (autodiff alone reaches @connex/core/internal)", () => {
    const bad: string[] = [];
    for (const [file, imp] of allImports()) {
      if (!isWorkspaceSpecifier(imp.specifier)) continue;
      const pkg = files.get(file)!.pkg;
      if (!ALLOWED_ENTRIES[pkg]!.includes(imp.specifier)) bad.push(`${shortPath(repoRoot, file)} imports ${imp.specifier}`);
    }
    expect(bad).toEqual([]);
  });

  it("never imports test libraries from src", () => {
    const bad = allImports()
      .filter(([, imp]) => ["vitest", "fast-check"].includes(imp.specifier) || imp.specifier.startsWith("vitest/"))
      .map(([file, imp]) => `${shortPath(repoRoot, file)} imports ${imp.specifier}`);
    expect(bad).toEqual([]);
  });
});

describe("layers inside core", () => {
  /** Areas of core (directories or top-level files) a given area must never import. */
  const FORBIDDEN: Record<string, readonly string[]> = {
    // The backend sits below the primitives and every user-facing module.
    backend: ["primitives", "lax", "np", "nn", "random", "tree", "trace.ts", "index.ts", "internal.ts"],
    // Primitive rules build on the lax layer's modules and other primitives, never on np.
    primitives: ["np", "nn", "random", "tree", "index.ts", "internal.ts"],
    lax: ["np", "nn", "random", "tree", "index.ts", "internal.ts"],
  };

  it("backend, primitives and lax import only downwards", () => {
    const bad: string[] = [];
    for (const [file, imp] of allImports("core")) {
      if (imp.target === null) continue;
      const from = coreArea(file);
      const to = coreArea(imp.target);
      if ((FORBIDDEN[from] ?? []).includes(to)) bad.push(`${shortPath(repoRoot, file)} imports ${imp.specifier}`);
    }
    expect(bad).toEqual([]);
  });

  it("primitive files do not import the lax index (only the lax modules below them)", () => {
    const laxIndex = join(coreSrc, "lax", "index.ts");
    const bad = allImports("core")
      .filter(([file, imp]) => coreArea(file) === "primitives" && imp.target === laxIndex)
      .map(([file]) => shortPath(repoRoot, file));
    expect(bad).toEqual([]);
  });

  it("no module of core imports its entry points (index.ts, internal.ts)", () => {
    const entries = new Set([join(coreSrc, "index.ts"), join(coreSrc, "internal.ts")]);
    const bad = allImports("core")
      .filter(([, imp]) => imp.target !== null && entries.has(imp.target))
      .map(([file, imp]) => `${shortPath(repoRoot, file)} imports ${imp.specifier}`);
    expect(bad).toEqual([]);
  });
});
