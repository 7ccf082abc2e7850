import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium, saveArtifact, saveScreenshot, serveStatic, watchPage, type Browser, type PageLog, type StaticServer } from "../../../packages/connex/test/browser/chromium.js";

// The Playground's static build (`pnpm --filter ./examples/playground build`, which
// `pnpm test:browser` runs first), served from localhost and driven in headless Chromium at
// 1280x800: train, edit the network with the mouse and the keyboard, prune, train on.

const dist = join(import.meta.dirname, "..", "dist");

interface Stats {
  steps: number;
  losses: number[];
  numNeurons: number;
  numEdges: number;
  hidden: number[];
  loss: number;
  accuracy: number;
}

let browser: Browser;
let server: StaticServer;
let page: Page;
let log: PageLog;

const stats = () => page.evaluate(() => (globalThis as unknown as { playground: { stats(): Stats } }).playground.stats());
const status = () => page.locator("#status").textContent();

/** Train until at least `steps` steps are done in all, then pause. */
async function trainTo(steps: number): Promise<Stats> {
  await page.click("#play");
  await page.waitForFunction((n) => (globalThis as unknown as { playground: { stats(): Stats } }).playground.stats().steps >= n, steps, { timeout: 120_000, polling: 100 });
  await page.click("#play");
  return stats();
}

/** The centre of neuron `id` on the page. */
async function neuronCentre(id: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator(`[data-neuron="${id}"] circle.neuron-body`).boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

beforeAll(async () => {
  if (!existsSync(join(dist, "index.html"))) throw new Error(`${dist} is missing: build the Playground first (pnpm --filter ./examples/playground build)`);
  server = await serveStatic(dist);
  browser = await launchChromium({ width: 1280, height: 800 });
  page = await browser.context.newPage();
  log = watchPage(page);
}, 60_000);

afterAll(async () => {
  saveArtifact("playground.log", [...(log?.messages ?? []), ...(log?.errors ?? []), ...(log?.failedRequests ?? [])].join("\n"));
  await browser?.close();
  await server?.close();
}, 60_000);

describe("the Connex Playground in headless Chromium", () => {
  it("loads, trains 200 steps with a falling loss, is edited (neuron, edge, prune, regrow) and still trains, with no console error", async () => {
    await page.goto(server.url);
    await page.waitForSelector("#network-svg .neuron");
    await saveScreenshot(page, "playground-0-loaded");
    const start = await stats();
    expect(start.steps).toBe(0);
    expect(await page.locator("#network-svg .edge").count()).toBe(start.numEdges);

    const trained = await trainTo(200);
    expect(trained.losses.slice(0, 200).every(Number.isFinite)).toBe(true);
    expect(trained.losses[199]!).toBeLessThan(0.8 * trained.losses[0]!);
    await saveScreenshot(page, "playground-1-trained");

    // Add a hidden neuron: click the drawing's background.
    const svgBox = (await page.locator("#network-svg").boundingBox())!;
    await page.mouse.click(svgBox.x + 8, svgBox.y + svgBox.height - 8);
    const grown = await stats();
    expect(grown.numNeurons).toBe(trained.numNeurons + 1);
    const added = Math.max(...grown.hidden);
    expect(await status()).toMatch(/added neuron h\d+: (\d+) of \1 surviving weights kept exactly, 3 new/i);
    expect(grown.numEdges).toBe(trained.numEdges + 3);

    // Add an edge by dragging from hidden neuron 3 to the new neuron.
    const from = await neuronCentre(3);
    const to = await neuronCentre(added);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await page.mouse.up();
    const connected = await stats();
    expect(await status()).toMatch(/connected h3 → h\d+: (\d+) of \1 surviving weights kept exactly, 1 new/i);
    expect(connected.numEdges).toBe(grown.numEdges + 1);

    // Remove an edge with the keyboard: focus it, press Delete.
    await page.locator(`[data-key="e:3>${added}"]`).focus();
    await page.keyboard.press("Delete");
    expect((await stats()).numEdges).toBe(connected.numEdges - 1);
    // And put it back with the keyboard: Enter on two neurons.
    await page.locator('[data-key="n:3"]').focus();
    await page.keyboard.press("Enter");
    await page.locator(`[data-key="n:${added}"]`).focus();
    await page.keyboard.press("Enter");
    expect((await stats()).numEdges).toBe(connected.numEdges);
    expect(await status()).toMatch(/connected h3 → h\d+/i);

    // Prune below |w| (the slider's value), then regrow.
    await page.locator("#prune-threshold").fill("0.3");
    await page.click("#prune");
    const pruned = await stats();
    expect(pruned.numEdges).toBeLessThan(connected.numEdges);
    expect(await status()).toMatch(/pruned \|w\| < 0\.3: (\d+) of \1 surviving weights kept exactly/i);
    await saveScreenshot(page, "playground-2-pruned");
    await page.click("#regrow");
    const regrown = await stats();
    expect(regrown.numEdges).toBe(pruned.numEdges + 4);

    // The URL holds the edited graph.
    const url = new URL(page.url());
    const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
    expect(sorted(url.searchParams.get("hidden")!.split(",").map(Number))).toEqual(sorted(regrown.hidden));
    expect(url.searchParams.get("edges")!.split(",")).toHaveLength(regrown.numEdges);

    // Still trains: 100 more steps, the loss keeps falling from where the edits left it.
    const after = await trainTo(regrown.steps + 100);
    const tail = after.losses.slice(regrown.steps);
    expect(tail.every(Number.isFinite)).toBe(true);
    expect(tail[tail.length - 1]!).toBeLessThan(tail[0]!);
    await saveScreenshot(page, "playground-3-retrained");

    // A shared link rebuilds the same graph.
    const shared = await browser.context.newPage();
    const sharedLog = watchPage(shared);
    await shared.goto(page.url());
    await shared.waitForSelector("#network-svg .neuron");
    const sharedStats = await shared.evaluate(() => (globalThis as unknown as { playground: { stats(): Stats } }).playground.stats());
    expect(sharedStats.numEdges).toBe(after.numEdges);
    expect(sorted(sharedStats.hidden)).toEqual(sorted(after.hidden));
    expect(sharedLog.errors).toEqual([]);
    await shared.close();

    expect(log.errors).toEqual([]);
    expect(log.failedRequests).toEqual([]);
  }, 240_000);
});
