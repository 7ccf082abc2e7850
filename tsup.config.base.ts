import { defineConfig } from "tsup";

/**
 * The build of every package: ESM + CommonJS (tslab notebooks require()) + type declarations.
 * A package with several entry points (`connex` and `connex/node`) lists them in its own
 * tsup.config.ts over this one; `splitting` puts the code they share in chunks, in both
 * formats, so `connex/node` works on the very classes `connex` exports (`instanceof` holds)
 * instead of copies. `target` is a language level both Node 20 and current browsers run.
 */
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
