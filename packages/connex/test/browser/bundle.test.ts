import { describe, expect, it } from "vitest";
import { bundleForBrowser, describeBuiltins, isNodeBuiltin } from "./bundle.js";

// Every package's main entry must bundle for browsers as it is (esbuild, platform "browser",
// no polyfills): no Node built-in anywhere in its import graph, its dependencies' included.
// Node-only helpers live in connex/node, which is allowed (and expected) to use them.
const MAIN_ENTRIES = ["@connex/core", "@connex/autodiff", "@connex/optim", "connex"] as const;

describe("browser bundles (esbuild, platform browser, no polyfills)", () => {
  for (const fromSources of [false, true]) {
    const what = fromSources ? "sources" : "built dist/ through package.json exports";
    for (const pkg of MAIN_ENTRIES) {
      it(`${pkg} (${what}) imports no Node built-in`, async () => {
        const bundle = await bundleForBrowser({ code: `import * as m from "${pkg}"; globalThis.__connexModule = m;` }, { fromSources });
        expect(bundle.errors, bundle.errors.join("\n")).toEqual([]);
        expect(bundle.builtinImports, `${pkg} imports Node built-ins: ${describeBuiltins(bundle.builtinImports)}`).toEqual([]);
        expect(bundle.code.length).toBeGreaterThan(1000);
      });
    }
  }

  it("the four packages together: the README network's imports bundle cleanly", async () => {
    const bundle = await bundleForBrowser({
      code: `import { filter, isInexactArray, nn, np, random } from "@connex/core";
       import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
       import * as optim from "@connex/optim";
       import * as cnx from "connex";
       globalThis.__parts = { filter, isInexactArray, nn, np, random, filterJit, filterValueAndGrad, vmap, optim, cnx };`,
    });
    expect(bundle.errors).toEqual([]);
    expect(describeBuiltins(bundle.builtinImports)).toBe("");
  });

  it("the detector names what it finds: connex/node uses fs, os, path and readline, each named with its importer", async () => {
    const bundle = await bundleForBrowser({ code: `import * as node from "connex/node"; globalThis.__node = node;` }, { fromSources: true });
    const names = new Set(bundle.builtinImports.map((b) => b.builtin.replace(/^node:/, "")));
    for (const b of ["fs", "os", "path", "module", "readline", "events"]) expect(names.has(b), `expected ${b} among ${[...names].join(", ")}`).toBe(true);
    expect(describeBuiltins(bundle.builtinImports)).toMatch(/node:fs \(imported by packages\/connex\/src\/node\/(show|files)\.ts\)/);
  });

  it("isNodeBuiltin recognises bare, node:-prefixed and subpath built-ins, and nothing else", () => {
    for (const s of ["fs", "node:fs", "fs/promises", "worker_threads", "node:test", "events", "readline"]) expect(isNodeBuiltin(s), s).toBe(true);
    for (const s of ["connex", "@connex/core", "immer", "vega", "fsevents", "./fs.js"]) expect(isNodeBuiltin(s), s).toBe(false);
  });
});
