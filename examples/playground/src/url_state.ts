/**
 * The Playground's settings and graph in the page's URL (query string), so that a network can be
 * shared as a link: `?data=xor&noise=0.1&seed=3&act=tanh&lr=0.03&hidden=3,4&edges=0-3,1-3,3-2&drop=3:0.2&prune=0.05&regrow=4`.
 * The trained weights are not in the link: opening it builds the network from `seed` and
 * trains it afresh.
 */
import { ACTIVATIONS, type ActivationName, INPUTS, OUTPUT, type NetworkSpec } from "./session.js";
import { DATASETS, type DatasetName } from "./datasets.js";

/** Everything the page is set to. */
export interface PlaygroundSettings extends NetworkSpec {
  dataset: DatasetName;
  noise: number;
  learningRate: number;
  pruneThreshold: number;
  regrowCount: number;
}

/** The network a fresh page starts with: two hidden layers (4 and 2 neurons) and two skip connections. */
export const DEFAULT_SETTINGS: PlaygroundSettings = {
  dataset: "circles",
  noise: 0.05,
  seed: 1,
  activation: "tanh",
  learningRate: 0.03,
  hidden: [3, 4, 5, 6, 7, 8],
  edges: [
    ...[3, 4, 5, 6].flatMap((h) => INPUTS.map((i) => [i, h] as const)),
    ...[3, 4, 5, 6].flatMap((h) => [7, 8].map((j) => [h, j] as const)),
    [7, OUTPUT],
    [8, OUTPUT],
    [0, 7],
    [1, 8],
  ],
  dropout: {},
  pruneThreshold: 0.05,
  regrowCount: 4,
};

/** Settings as a query string (without "?"). */
export function encodeSettings(s: PlaygroundSettings): string {
  const q = new URLSearchParams();
  q.set("data", s.dataset);
  q.set("noise", String(s.noise));
  q.set("seed", String(s.seed));
  q.set("act", s.activation);
  q.set("lr", String(s.learningRate));
  q.set("hidden", s.hidden.join(","));
  q.set("edges", s.edges.map(([a, b]) => `${a}-${b}`).join(","));
  const drop = Object.entries(s.dropout).filter(([, p]) => p > 0);
  if (drop.length > 0) q.set("drop", drop.map(([n, p]) => `${n}:${p}`).join(","));
  q.set("prune", String(s.pruneThreshold));
  q.set("regrow", String(s.regrowCount));
  // Commas and colons read better unescaped, and are valid in a query.
  return q.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
}

const intList = (text: string) => (text === "" ? [] : text.split(",").map((t) => Number(t)));

/**
 * Settings from a query string; what is missing takes its default. A malformed value is
 * reported in `problems` (and its default used) instead of throwing, so a mangled link still
 * opens a page.
 */
export function decodeSettings(query: string): { settings: PlaygroundSettings; problems: string[] } {
  const q = new URLSearchParams(query);
  const problems: string[] = [];
  const s: PlaygroundSettings = { ...DEFAULT_SETTINGS, dropout: {} };
  const num = (name: string, ok: (v: number) => boolean, set: (v: number) => void) => {
    const raw = q.get(name);
    if (raw === null) return;
    const v = Number(raw);
    if (raw !== "" && Number.isFinite(v) && ok(v)) set(v);
    else problems.push(`${name}=${raw} is out of range`);
  };
  const data = q.get("data");
  if (data !== null) {
    if ((DATASETS as readonly string[]).includes(data)) s.dataset = data as DatasetName;
    else problems.push(`unknown dataset ${data}`);
  }
  const act = q.get("act");
  if (act !== null) {
    if (act in ACTIVATIONS) s.activation = act as ActivationName;
    else problems.push(`unknown activation ${act}`);
  }
  num("noise", (v) => v >= 0 && v <= 0.5, (v) => (s.noise = v));
  num("seed", (v) => Number.isInteger(v) && v >= 0, (v) => (s.seed = v));
  num("lr", (v) => v > 0 && v <= 1, (v) => (s.learningRate = v));
  num("prune", (v) => v >= 0 && v <= 10, (v) => (s.pruneThreshold = v));
  num("regrow", (v) => Number.isInteger(v) && v >= 1 && v <= 100, (v) => (s.regrowCount = v));

  const hiddenRaw = q.get("hidden");
  const edgesRaw = q.get("edges");
  if (hiddenRaw !== null || edgesRaw !== null) {
    const hidden = intList(hiddenRaw ?? "");
    const reserved = new Set<number>([...INPUTS, OUTPUT]);
    const graphOk = hidden.every((h) => Number.isInteger(h) && h >= 0 && !reserved.has(h)) && new Set(hidden).size === hidden.length;
    const known = new Set<number>([...INPUTS, OUTPUT, ...hidden]);
    const edges = (edgesRaw ?? "").split(",").filter((t) => t !== "").map((t) => t.split("-").map(Number));
    const edgesOk = edges.every((e) => e.length === 2 && known.has(e[0]!) && known.has(e[1]!));
    if (graphOk && edgesOk) {
      s.hidden = hidden;
      s.edges = edges.map(([a, b]) => [a!, b!] as const);
    } else {
      problems.push("the graph in the link is malformed; showing the default network");
    }
  }
  const dropout: Record<number, number> = {};
  s.dropout = dropout;
  const dropRaw = q.get("drop");
  if (dropRaw !== null && dropRaw !== "") {
    for (const item of dropRaw.split(",")) {
      const [n, p] = item.split(":").map(Number);
      if (s.hidden.includes(n!) && p! >= 0 && p! < 1) dropout[n!] = p!;
      else problems.push(`dropout ${item} ignored`);
    }
  }
  return { settings: s, problems };
}
