import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources, so no build is needed before `pnpm test`;
// the build itself is checked by the require()/import tests in packages/*/test/dist.test.ts.
export default defineConfig({
  resolve: {
    // The subpath first: a string alias also matches imports that start with it plus "/".
    alias: {
      "@connex/core/internal": fileURLToPath(new URL("./packages/core/src/internal.ts", import.meta.url)),
      "@connex/core": src("core"),
      "@connex/autodiff": src("autodiff"),
      "@connex/optim": src("optim"),
      connex: src("connex"),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "benchmarks/**/*.test.ts"],
    testTimeout: 60_000,
    setupFiles: ["./vitest.setup.ts"],
    pool: "threads",
  },
});
