import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

// The real-browser tests (`pnpm test:browser`): headless Chromium via playwright-core, against
// the built packages and the Playground's static build. One file at a time: each drives a
// browser, and the CI machine has two cores. Same aliases and setup as the unit tests.
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ["packages/*/test/**/*.browser.test.ts", "examples/*/test/**/*.browser.test.ts"],
    setupFiles: base.test?.setupFiles,
    fileParallelism: false,
    testTimeout: 180_000,
  },
});
