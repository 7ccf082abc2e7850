import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const src = (pkg: string, entry = "index.ts") => fileURLToPath(new URL(`./packages/${pkg}/src/${entry}`, import.meta.url));
/** An alias for exactly one import specifier (a plain string alias would also rewrite its subpaths). */
const exact = (name: string, path: string) => ({ find: new RegExp(`^${name.replace(/[/]/g, "\\/")}$`), replacement: path });

// Tests run against the TypeScript sources, so no build is needed before `pnpm test`;
// the build itself is checked by the require()/import tests in packages/*/test/dist.test.ts.
export default defineConfig({
  resolve: {
    alias: [
      exact("@connex/core/internal", src("core", "internal.ts")),
      exact("@connex/core", src("core")),
      exact("@connex/autodiff", src("autodiff")),
      exact("@connex/optim", src("optim")),
      exact("connex", src("connex")),
      exact("connex/node", src("connex", "node/index.ts")),
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "benchmarks/**/*.test.ts", "examples/test/**/*.test.ts", "examples/playground/test/**/*.test.ts"],
    // Real-browser tests run apart, by `pnpm test:browser` (vitest.browser.config.ts).
    exclude: ["**/node_modules/**", "**/*.browser.test.ts"],
    testTimeout: 60_000,
    setupFiles: ["./vitest.setup.ts"],
    pool: "threads",
  },
});
