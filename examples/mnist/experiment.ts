/**
 * What the three MNIST experiment scripts share when run from the command line: `--name value`
 * arguments, a log with timestamps, the progress display, the total wall time, and the JSON
 * results file under `examples/results/` (with the date, the command and the machine).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ValueError } from "@connex/core";
import type { ProgressOptions } from "connex/node";

/** Where an experiment logs and how it shows progress. */
export interface ExperimentContext {
  log: (line: string) => void;
  display: ProgressOptions["mode"];
}

/** Parsed `--name value` arguments. */
export interface ExperimentArgs {
  number(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
}

/** The folder the full runs write their JSON to. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

/**
 * Parse `--name value` pairs; an unknown name or a non-numeric number is a `ValueError`.
 *
 * @example
 * parseArgs(["--epochs", "3"], ["epochs"]).number("epochs", 2); // 3
 */
export function parseArgs(argv: readonly string[], known: readonly string[]): ExperimentArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    if (!flag.startsWith("--") || argv[i + 1] === undefined) throw new ValueError(`expected --name value pairs, got ${JSON.stringify(argv.slice(i).join(" "))}`);
    const name = flag.slice(2);
    if (!known.includes(name)) throw new ValueError(`unknown option --${name} (known: ${known.map((k) => `--${k}`).join(", ")})`);
    values.set(name, argv[i + 1]!);
  }
  return {
    number(name, fallback) {
      const v = values.get(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new ValueError(`--${name}: expected a number, got ${JSON.stringify(v)}`);
      return n;
    },
    string: (name, fallback) => values.get(name) ?? fallback,
  };
}

/**
 * Run an experiment from the command line: parse arguments, log with elapsed times, time the
 * whole run, and write `{ experiment, date, command, wallSeconds, machine, ...result }` to
 * `examples/results/<name>.json` (or `--out path`). `alias` is the name `pnpm experiments` knows it by.
 */
export async function experimentMain<R extends object>(
  name: string,
  alias: string,
  argv: readonly string[],
  run: (args: ExperimentArgs, context: ExperimentContext) => Promise<R>,
  known: readonly string[] = ["rounds", "epochs", "seed", "out"],
): Promise<R> {
  const args = parseArgs(argv, known);
  const started = new Date();
  const t0 = performance.now();
  const stamp = () => `[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s]`;
  const context: ExperimentContext = { log: (line) => console.log(`${stamp()} ${line}`), display: "auto" };
  context.log(`${name}: started ${started.toISOString()} (${argv.join(" ") || "defaults"})`);
  const result = await run(args, context);
  const wallSeconds = (performance.now() - t0) / 1000;
  const file = args.string("out", join(RESULTS_DIR, `${name}.json`));
  mkdirSync(dirname(file), { recursive: true });
  const json = {
    experiment: name,
    date: started.toISOString(),
    command: `pnpm experiments ${alias}${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`,
    wallSeconds: +wallSeconds.toFixed(1),
    machine: { node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown" },
    ...result,
  };
  writeFileSync(file, `${JSON.stringify(json, (_k, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? +v.toPrecision(6) : v), 2)}\n`);
  context.log(`${name}: done in ${(wallSeconds / 60).toFixed(1)} min; wrote ${relative(process.cwd(), file)}`);
  return result;
}
