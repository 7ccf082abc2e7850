/**
 * The page of the library's browser test (bundled by esbuild for the browser platform, run in
 * headless Chromium): `trainReadmeNetwork()`, reported in `globalThis.__connexResult` (or the
 * error in `__connexError`).
 */
import { trainReadmeNetwork, type ReadmeNetworkRun } from "./readme_network_run.js";

const g = globalThis as { __connexResult?: ReadmeNetworkRun; __connexError?: string };
// After the load event, so that the page is up when the work starts.
setTimeout(() => {
  try {
    g.__connexResult = trainReadmeNetwork();
  } catch (e) {
    g.__connexError = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
  }
}, 0);
