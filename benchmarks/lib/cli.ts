/** Command-line flags shared by `run.ts` and `peers.ts`. */
import { parseArgs } from "node:util";

/** Parsed flags. */
export interface BenchFlags {
  /** Fewer steps and rounds: a smoke run, not figures to quote. */
  quick: boolean;
  /** Names to run (empty: everything). */
  only: string[];
  /** Internal: run this one suite in this process and print its outcome as JSON (run.ts's children). */
  suiteChild: string | null;
}

/**
 * Parse `--quick` and `--only <name>` (repeatable, or comma-separated). Unknown flags throw.
 *
 * @example
 * parseFlags(["--quick", "--only", "dense,readme"]); // { quick: true, only: ["dense", "readme"], suiteChild: null }
 */
export function parseFlags(argv: readonly string[]): BenchFlags {
  const { values } = parseArgs({
    // `pnpm bench -- --only x` passes the `--` separator through (pnpm 12); it separates nothing here.
    args: argv.filter((a) => a !== "--"),
    options: { quick: { type: "boolean", default: false }, only: { type: "string", multiple: true, default: [] }, "suite-child": { type: "string" } },
    strict: true,
    allowPositionals: false,
  });
  const only = (values.only ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v.length > 0);
  return { quick: values.quick ?? false, only, suiteChild: values["suite-child"] ?? null };
}

/**
 * Check that every `--only` name is a known one, so a typo fails loudly instead of running nothing.
 *
 * @example
 * checkOnly(["dense"], ["dense", "readme"]); // ok; checkOnly(["dnese"], [...]) throws
 */
export function checkOnly(only: readonly string[], known: readonly string[]): void {
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`--only: unknown name(s) ${unknown.join(", ")}; known: ${known.join(", ")}`);
}
