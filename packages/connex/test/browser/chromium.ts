/**
 * Test helpers for the real-browser tests: Debian's Chromium driven headless by
 * playwright-core (`bash scripts/ensure-chromium.sh` installs it), pages served from
 * localhost by a small static server, and everything a page logs collected so that tests can
 * require that nothing went wrong.
 */
import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { repoRoot } from "./bundle.js";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Chromium's flags: headless without a GPU or sandbox (CI runs as root in a container), and no
 * background networking (on a closed network Chromium's own connections are refused, which
 * would show up as errors).
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Screenshots and other artefacts of the browser tests (gitignored). */
export const artifactsDir = join(repoRoot, "test-artifacts");

/** A running browser with a fresh profile; `close()` ends it and deletes the profile. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launch headless Chromium with a fresh user-data-dir. */
export async function launchChromium({ width = 1280, height = 800 } = {}): Promise<Browser> {
  try {
    statSync(CHROMIUM);
  } catch {
    throw new Error(`${CHROMIUM} is missing: run \`bash scripts/ensure-chromium.sh\` (as root) first`);
  }
  const profile = mkdtempSync(join(tmpdir(), "connex-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Everything a page reported that a test should look at. */
export interface PageLog {
  /** `console.error` messages and uncaught exceptions. */
  errors: string[];
  /** Every console message, as "type: text". */
  messages: string[];
  /** Requests that failed or answered 4xx/5xx. */
  failedRequests: string[];
}

/** Record a page's console messages, uncaught errors and failed requests. */
export function watchPage(page: Page): PageLog {
  const log: PageLog = { errors: [], messages: [], failedRequests: [] };
  page.on("console", (m) => {
    log.messages.push(`${m.type()}: ${m.text()}`);
    if (m.type() === "error") log.errors.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => log.errors.push(`uncaught: ${e.stack ?? e.message}`));
  page.on("requestfailed", (r) => log.failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? "failed"}`));
  page.on("response", (r) => {
    if (r.status() >= 400) log.failedRequests.push(`${r.url()}: HTTP ${r.status()}`);
  });
  return log;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".ico": "image/x-icon",
};

/** A static server on 127.0.0.1 (a free port); `url` ends with "/". */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serve in-memory files (`{ "index.html": "...", "app.js": "..." }`) or a directory (a static
 * build) from localhost. Unknown paths answer 404; "/" is index.html. `headers` go on every
 * file (e.g. `Cross-Origin-Opener-Policy` and `-Embedder-Policy` for a cross-origin isolated page).
 */
export async function serveStatic(files: Readonly<Record<string, string | Uint8Array>> | string, { headers = {} }: { headers?: Readonly<Record<string, string>> } = {}): Promise<StaticServer> {
  const read = (path: string): string | Uint8Array | undefined => {
    if (typeof files !== "string") return files[path];
    const full = resolve(files, normalize(path));
    if (!full.startsWith(resolve(files))) return undefined;
    try {
      return statSync(full).isFile() ? readFileSync(full) : undefined;
    } catch {
      return undefined;
    }
  };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname).replace(/^\/+/, "") || "index.html";
    const body = read(path);
    if (body === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store", ...headers }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("serveStatic: no port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((e) => (e ? fail(e) : ok()));
        server.closeAllConnections(); // the browser's keep-alive connections would hold close() open
      }),
  };
}

/** Save a screenshot of `page` under test-artifacts/ and return its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Write a text artefact (e.g. a page's console log) under test-artifacts/. */
export function saveArtifact(name: string, text: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, name);
  writeFileSync(file, text);
  return file;
}
