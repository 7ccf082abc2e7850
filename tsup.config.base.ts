import { defineConfig } from "tsup";

/**
 * The build of every package: ESM + CommonJS (tslab notebooks require()) + type declarations.
 * A package with several entry points (`connex` and `connex/node`) lists them in its own
 * tsup.config.ts over this one. No code splitting in CommonJS: tsup's CommonJS splitting
 * rewrites `import()` into `require()`, which cannot load ESM-only packages such as vega.
 * `target` is a language level both Node 20 and current browsers run.
 */
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
