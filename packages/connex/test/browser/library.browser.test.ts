import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { bundleForBrowser, describeBuiltins } from "./bundle.js";
import { launchChromium, saveArtifact, saveScreenshot, serveStatic, watchPage, type Browser, type StaticServer } from "./chromium.js";
import { STEPS, trainReadmeNetwork, type ReadmeNetworkRun } from "./readme_network_run.js";

// The four packages, bundled for the browser platform with no polyfills (from their built
// dist/, as an app's bundler would take them), train the README network in headless Chromium.
// Run by `pnpm test:browser` (after `pnpm build` and scripts/ensure-chromium.sh).

const here = import.meta.dirname;
const html = (title: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head>` +
  `<body><h1>${title}</h1><pre id="out">running…</pre><script type="module" src="app.js"></script></body></html>`;

let browser: Browser;
const servers: StaticServer[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await browser?.close();
}, 60_000);

/** Bundle `file`, serve it on localhost, open it and wait for `globalThis[resultName]` (or the page's error). */
async function runPage<T>(file: string, resultName: string, errorName: string, { fromSources = false, screenshot, headers }: { fromSources?: boolean; screenshot: string; headers?: Record<string, string> }) {
  const bundle = await bundleForBrowser({ file }, { fromSources });
  expect(bundle.errors, bundle.errors.join("\n")).toEqual([]);
  expect(describeBuiltins(bundle.builtinImports)).toBe("");
  const server = await serveStatic({ "index.html": html(screenshot), "app.js": bundle.code }, { headers });
  servers.push(server);
  const page = await browser.context.newPage();
  const log = watchPage(page);
  await page.goto(server.url);
  await page.waitForFunction(([r, e]) => (globalThis as Record<string, unknown>)[r!] !== undefined || (globalThis as Record<string, unknown>)[e!] !== undefined, [resultName, errorName], {
    timeout: 120_000,
  });
  const error = await page.evaluate((e) => (globalThis as Record<string, unknown>)[e] as string | undefined, errorName);
  const result = await page.evaluate((r) => (globalThis as Record<string, unknown>)[r] as T, resultName);
  await page.evaluate((text) => {
    const out = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }).document.getElementById("out");
    if (out) out.textContent = text;
  }, error ?? JSON.stringify(result, (_, v) => (Array.isArray(v) && v.length > 12 ? [...v.slice(0, 6), "…", ...v.slice(-6)] : v), 1));
  await saveScreenshot(page, screenshot);
  saveArtifact(`${screenshot}.log`, [...log.messages, ...log.errors, ...log.failedRequests].join("\n"));
  await page.close();
  return { result, error, log };
}

describe("the packages in headless Chromium", () => {
  it("bundled for the browser with no polyfills, train the README network 300 jitted Adam steps: the loss falls", async () => {
    const { result, error, log } = await runPage<ReadmeNetworkRun>(join(here, "readme_network_page.ts"), "__connexResult", "__connexError", { screenshot: "library-readme-network" });
    expect(error).toBeUndefined();
    expect(log.errors).toEqual([]);
    expect(log.failedRequests).toEqual([]);
    expect(result.userAgent).toMatch(/Chrome/);
    expect(result.losses).toHaveLength(STEPS);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    const [first, last] = [result.losses[0]!, result.losses[STEPS - 1]!];
    // Adam(1e-3) from key 4: 0.50 -> 0.42 in 300 steps (in Node too), falling throughout.
    expect(last).toBeLessThan(0.9 * first);
    for (let i = 50; i < STEPS; i += 50) expect(result.losses[i]!, `loss at step ${i}`).toBeLessThan(result.losses[i - 50]!);
    // The same computation as in Node, to float32 rounding (V8's Math functions are the same
    // fdlibm ports in both, but the two V8 versions need not agree on every last bit).
    const node = trainReadmeNetwork();
    for (let i = 0; i < STEPS; i++) expect(Math.abs(result.losses[i]! - node.losses[i]!), `step ${i}`).toBeLessThanOrEqual(1e-5 * node.losses[i]!);
    expect(result.lossAfterEdits).toBeCloseTo(node.lossAfterEdits, 5);
    expect(result.saveLoadRoundTrip).toBe(true);
    expect(result.numNeurons).toBe(11);
    expect(result.numEdges).toBe(14); // 14 + 2 added - 2 of neuron 5
    expect(Number.isFinite(result.lossAfterEdits)).toBe(true);
    expect(result.svgLength).toBeGreaterThan(1000);
    console.log(`README network in ${result.userAgent.match(/Chrome\/[\d.]+/)?.[0]}: loss ${first.toFixed(4)} -> ${last.toFixed(4)} in 300 jitted steps, ${result.milliseconds.toFixed(0)} ms`);
  }, 180_000);

  it("core's WebAssembly kernels (generated at run time, no file read) compile and compute in the page", async () => {
    const { result, error, log } = await runPage<Record<string, unknown>>(join(here, "wasm_kernels_page.ts"), "__wasmResult", "__wasmError", { fromSources: true, screenshot: "library-wasm-kernels" });
    expect(error).toBeUndefined();
    expect(log.errors).toEqual([]);
    expect(result).toMatchObject({ matmul: true, gelu: true, sparse: true, matmulMatchesFloat64: true });
    // gelu(1) = 0.8411920, to float32.
    expect(result.geluAt1 as number).toBeCloseTo(0.841192, 6);
  }, 180_000);

  it("in a cross-origin isolated page, the worker pool runs kernels on a Web Worker (modules generated at run time too), with the 1-thread bits", async () => {
    type PoolRun = { isolated: boolean; supported: boolean; threads: number; same: Record<string, boolean>; chunks: Record<string, { two: number; one: number }> };
    const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
    const { result, error, log } = await runPage<PoolRun>(join(here, "pool_page.ts"), "__poolResult", "__poolError", { fromSources: true, screenshot: "library-worker-pool", headers: isolation });
    expect(error).toBeUndefined();
    expect(log.errors).toEqual([]);
    expect(result).toMatchObject({ isolated: true, supported: true, threads: 2, same: { matmul: true, fused: true, gelu: true } });
    // Each workload's chunks reached the worker on 2 threads (the fused program's module and the
    // matmul's stride-specific kernels through the module mailbox), none on 1.
    console.log(`worker chunks on 2 threads / 1 thread: ${Object.entries(result.chunks).map(([name, c]) => `${name} ${c.two} / ${c.one}`).join(", ")}`);
    for (const [name, { two, one }] of Object.entries(result.chunks)) {
      expect(two, `${name}: worker chunks on 2 threads`).toBeGreaterThan(0);
      expect(one, `${name}: worker chunks on 1 thread`).toBe(0);
    }
  }, 180_000);
});
