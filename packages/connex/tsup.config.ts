// Built as every package is (../../tsup.config.base.ts), with a second entry point: `connex/node`
// (show, progress, saveFile/loadFile), the Node-only part kept out of the browser-safe main entry.
// `src/node/` imports connex only through `../index.js`; that import is linked to the built main
// entry (`./index.js` / `./index.cjs`) instead of being bundled again, so `connex/node` works on
// the very classes `connex` exports (`instanceof NeuralNetwork`, error classes) in both formats.
import { sep } from "node:path";
import { defineConfig } from "tsup";
import type { Plugin } from "esbuild";
import base from "../../tsup.config.base.js";

const linkMainEntry: Plugin = {
  name: "connex-node-links-main-entry",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${sep}src${sep}node${sep}`)) return undefined;
      return { path: build.initialOptions.format === "cjs" ? "./index.cjs" : "./index.js", external: true };
    });
  },
};

export default defineConfig({ ...base, entry: { index: "src/index.ts", node: "src/node/index.ts" }, esbuildPlugins: [linkMainEntry] });
