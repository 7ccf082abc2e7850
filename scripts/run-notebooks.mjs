#!/usr/bin/env node
// Execute every notebook in examples/notebooks/ top to bottom with the tslab kernel and fail
// on any error: an "error" output or anything written to stderr (tslab reports both type
// errors and exceptions there), or nbconvert failing (e.g. a cell timing out); and, without
// --update, on a committed notebook missing the outputs of a cell that has some when run. Uses
// Debian's Jupyter (/usr/bin/jupyter, run by /usr/bin/python3; see scripts/ensure-jupyter.sh,
// which `pnpm notebooks` runs first) and the built packages (packages/*/dist: `pnpm build`).
//
//   node scripts/run-notebooks.mjs                 run all, write executed copies to a temp dir
//   node scripts/run-notebooks.mjs --update        run all and write the outputs back in place
//                                                  (how the committed outputs are refreshed)
//   node scripts/run-notebooks.mjs pruning.ipynb   run only the named notebooks
//
// Prints each notebook's wall time; exits non-zero if any notebook failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const notebookDir = join(root, "examples", "notebooks");
const JUPYTER = "/usr/bin/jupyter";
/** Longest one cell may run, in seconds (the slowest training cell takes well under a minute). */
const CELL_TIMEOUT_S = 600;
/**
 * Longest the tslab kernel may take to start, in seconds. nbclient's default is 60; on a
 * loaded 2-core CI machine tslab (which starts a TypeScript language service) once took longer.
 */
const KERNEL_STARTUP_TIMEOUT_S = 300;
/** A kernel that still did not start is retried this many times before the notebook fails. */
const KERNEL_START_RETRIES = 2;

const args = process.argv.slice(2);
const update = args.includes("--update");
const unknownFlags = args.filter((a) => a.startsWith("-") && a !== "--update");
if (unknownFlags.length > 0) fail(`unknown option ${unknownFlags.join(", ")} (only --update)`);
const named = args.filter((a) => !a.startsWith("-")).map((a) => basename(a));

function fail(message) {
  console.error(`run-notebooks: ${message}`);
  process.exit(1);
}

/** Every problem recorded in an executed notebook's outputs, one line each. */
function notebookErrors(notebook) {
  const problems = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    for (const output of cell.outputs ?? []) {
      const where = `cell ${index + 1} (${String(Array.isArray(cell.source) ? cell.source.join("") : cell.source).split("\n")[0].slice(0, 60)})`;
      if (output.output_type === "error") {
        problems.push(`${where}: ${output.ename}: ${output.evalue}`);
      } else if (output.output_type === "stream" && output.name === "stderr") {
        const lines = (Array.isArray(output.text) ? output.text.join("") : output.text).trim().split("\n");
        // The first lines (a type error's message, or where an exception was thrown) and the
        // exception's own "SomeError: message" line, wherever it is.
        const shown = [...new Set([...lines.slice(0, 5), ...lines.filter((l) => /^\w*(Error|Exception)\b/.test(l))])];
        problems.push(`${where}: wrote to stderr: ${shown.join(" | ")}`);
      }
    }
  });
  return problems;
}

/**
 * Cells whose fresh run printed or drew something but whose committed copy has no output: the
 * notebook was committed without being run (the committed outputs are what readers see).
 * Outputs that merely differ (timings, progress bars) are not compared.
 */
function missingOutputs(committed, executed) {
  const problems = [];
  executed.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code" || (cell.outputs ?? []).length === 0) return;
    if ((committed.cells[index]?.outputs ?? []).length > 0) return;
    const first = String(Array.isArray(cell.source) ? cell.source.join("") : cell.source).split("\n")[0].slice(0, 60);
    problems.push(`cell ${index + 1} (${first}): has outputs when run but none committed; run \`node scripts/run-notebooks.mjs --update ${executed.name ?? ""}\` and commit`);
  });
  return problems;
}

/**
 * The executed notebook as committed: nbconvert's JSON layout (one-space indent, trailing
 * newline) without the per-cell execution timestamps, which would change on every run.
 */
function withoutRunTimestamps(notebook) {
  for (const cell of notebook.cells) delete cell.metadata?.execution;
  return `${JSON.stringify(notebook, null, 1)}\n`;
}

/** Runs one notebook through nbconvert, writing the executed copy to `outDir`. */
function execute(name) {
  return spawnSync(
    JUPYTER,
    [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=tslab",
      `--ExecutePreprocessor.timeout=${CELL_TIMEOUT_S}`,
      `--ExecutePreprocessor.startup_timeout=${KERNEL_STARTUP_TIMEOUT_S}`,
      // Run every cell even after a failure, so the report lists every error with its message.
      "--ExecutePreprocessor.allow_errors=True",
      "--output-dir",
      outDir,
      join(notebookDir, name),
    ],
    // The kernel's working directory is the notebook's own, so `require("connex")` resolves
    // through the workspace's node_modules like any file under examples/.
    { cwd: notebookDir, encoding: "utf8" },
  );
}

/** Whether nbconvert failed because the kernel never answered (before any cell ran). */
function kernelDidNotStart(run) {
  return run.status !== 0 && /Kernel didn't respond|Kernel died before replying/.test(run.stderr ?? "");
}

for (const pkg of ["core", "autodiff", "optim", "connex"]) {
  const dist = join(root, "packages", pkg, "dist", "index.cjs");
  if (!existsSync(dist)) fail(`${dist} is missing: the notebooks require() the built packages; run \`pnpm build\` first`);
}
if (!existsSync(JUPYTER)) fail(`${JUPYTER} is missing; run \`bash scripts/ensure-jupyter.sh\` first`);

const all = readdirSync(notebookDir).filter((f) => f.endsWith(".ipynb")).sort();
for (const n of named) if (!all.includes(n)) fail(`no notebook ${n} in ${notebookDir} (have ${all.join(", ")})`);
const chosen = named.length > 0 ? all.filter((f) => named.includes(f)) : all;
if (chosen.length === 0) fail(`no notebooks in ${notebookDir}`);

const outDir = mkdtempSync(join(tmpdir(), "connex-notebooks-"));
const results = [];
const started = performance.now();
for (const name of chosen) {
  const t0 = performance.now();
  let run = execute(name);
  // A kernel that did not come up is an infrastructure hiccup, not a notebook error: retry it.
  for (let retry = 1; retry <= KERNEL_START_RETRIES && kernelDidNotStart(run); retry++) {
    console.log(`     ${name}: the tslab kernel did not start; retry ${retry} of ${KERNEL_START_RETRIES}`);
    run = execute(name);
  }
  const seconds = (performance.now() - t0) / 1000;
  const executed = join(outDir, name);
  const problems = [];
  if (run.error) problems.push(`could not start ${JUPYTER}: ${run.error.message}`);
  if (run.status !== 0) problems.push(`nbconvert exited with ${run.status}:\n${(run.stderr ?? "").trim().split("\n").slice(-25).join("\n")}`);
  const notebook = existsSync(executed) ? JSON.parse(readFileSync(executed, "utf8")) : null;
  if (notebook) problems.push(...notebookErrors(notebook));
  else if (problems.length === 0) problems.push(`nbconvert wrote no ${executed}`);
  if (notebook && !update) {
    const committed = JSON.parse(readFileSync(join(notebookDir, name), "utf8"));
    problems.push(...missingOutputs(committed, { ...notebook, name }));
  }
  results.push({ name, seconds, problems });
  console.log(`${problems.length === 0 ? "ok  " : "FAIL"} ${name} (${seconds.toFixed(1)} s)`);
  for (const p of problems) console.log(`     ${p.replace(/\n/g, "\n     ")}`);
  if (update && problems.length === 0) writeFileSync(join(notebookDir, name), withoutRunTimestamps(notebook));
}

const failed = results.filter((r) => r.problems.length > 0);
const total = (performance.now() - started) / 1000;
console.log(
  `notebooks: ${results.length - failed.length} of ${results.length} ran without errors in ${total.toFixed(1)} s` +
    (update ? (failed.length === 0 ? "; outputs written back" : "; outputs of the clean ones written back") : ""),
);
if (failed.length > 0) {
  console.log(`executed copies kept in ${outDir}`);
  process.exit(1);
}
rmSync(outDir, { recursive: true, force: true });
