import { defineConfig } from "tsup";

/** The build of every package: ESM + CommonJS (tslab notebooks require()) + type declarations. */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
