/**
 * Runs `matmul.bench.ts` (matmul GFLOP/s of @connex/core vs tfjs cpu/wasm, maintained on its
 * own) in a child process and turns the table it prints into result rows, with connex's
 * throughput as a ratio of tfjs-wasm's at each shape (higher is better here).
 */
import { spawn } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { withRatio, type ResultRow } from "./lib/report.js";
import type { Suite } from "./lib/suite.js";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** One parsed line of the matmul table. */
export interface MatmulFigure {
  shape: string;
  library: string;
  gflops: number;
}

function unquote(cell: string): string {
  const t = cell.trim();
  return /^(['"]).*\1$/.test(t) ? t.slice(1, -1) : t;
}

/**
 * The rows of a `console.table` printout that has `shape`, `library` and `GFLOP/s` columns.
 *
 * @example
 * parseMatmulTable("│ (index) │ shape │ library │ GFLOP/s │\n│ 0 │ '256²' │ 'connex' │ 9.5 │"); // [{ shape: "256²", library: "connex", gflops: 9.5 }]
 */
export function parseMatmulTable(stdout: string): MatmulFigure[] {
  const lines = stdout.split("\n").filter((l) => l.trimStart().startsWith("│"));
  if (lines.length === 0) return [];
  const cells = (line: string) => line.trim().slice(1, -1).split("│").map(unquote);
  const header = cells(lines[0]!);
  const col = { shape: header.indexOf("shape"), library: header.indexOf("library"), gflops: header.indexOf("GFLOP/s") };
  if (col.shape < 0 || col.library < 0 || col.gflops < 0) return [];
  return lines.slice(1).flatMap((line) => {
    const c = cells(line);
    const gflops = Number(c[col.gflops]);
    return Number.isFinite(gflops) ? [{ shape: c[col.shape]!, library: c[col.library]!, gflops }] : [];
  });
}

function runMatmulBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "matmul.bench.ts"], { cwd: BENCH_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Matmul throughput vs tfjs, from `matmul.bench.ts`. */
export const matmulSuite: Suite = {
  name: "matmul",
  title: "matmul GFLOP/s vs tfjs-cpu and tfjs-wasm (matmul.bench.ts, run as a child process)",
  async run(ctx) {
    const suite = "matmul";
    ctx.log(`${suite}: running matmul.bench.ts`);
    const { code, stdout, stderr } = await runMatmulBench();
    if (code !== 0) return { rows: [], skipped: [{ suite, reason: `matmul.bench.ts exited with ${code}: ${stderr.trim().slice(-600)}` }] };
    const figures = parseMatmulTable(stdout);
    if (figures.length === 0) return { rows: [], skipped: [{ suite, reason: `could not read a shape/library/GFLOP/s table from matmul.bench.ts's output:\n${stdout.slice(-600)}` }] };
    const rows: ResultRow[] = [];
    const shapes = [...new Set(figures.map((f) => f.shape))];
    for (const shape of shapes) {
      // connex first, then the peers, as printed.
      const atShape = figures.filter((f) => f.shape === shape).sort((a, b) => Number(b.library.startsWith("connex")) - Number(a.library.startsWith("connex")));
      const toRow = (f: MatmulFigure): ResultRow => ({ suite, variant: `${f.library} ${shape}`, median: f.gflops, unit: "GFLOP/s", note: "figure as printed by matmul.bench.ts (tinybench)" });
      const wasm = atShape.find((f) => f.library === "tfjs-wasm");
      for (const f of atShape) {
        const row = toRow(f);
        rows.push(f.library.startsWith("connex") && wasm ? withRatio(row, toRow(wasm), { label: "tfjs-wasm" }) : row);
      }
    }
    return { rows, skipped: [] };
  },
};
