/**
 * The Connex Playground page: wires the controls, the network view, the heat map and the loss
 * chart to a `Session`, trains in a requestAnimationFrame loop (as many jitted Adam steps as fit
 * in ~12 ms per frame), and keeps the URL in step with the graph and settings.
 */
import { random } from "@connex/core";
import * as cnx from "connex";
import { DATASETS, makeDataset, type DatasetName } from "./datasets.js";
import { GRID, gridPoints, HeatMap } from "./heatmap.js";
import { type EditMark, LossChart } from "./loss_chart.js";
import { NetworkView, neuronLabel } from "./network_view.js";
import { ACTIVATIONS, type ActivationName, buildNetwork, type EditReport, INPUTS, OUTPUT, Session, weightsOf } from "./session.js";
import { decodeSettings, encodeSettings, type PlaygroundSettings } from "./url_state.js";

const POINTS = 200;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const { settings, problems } = decodeSettings(location.search);
let current: PlaygroundSettings = settings;
const grid = gridPoints();
let session = newSession();
let playing = false;
let frame = 0;
let editCount = 0;
const marks: EditMark[] = [];

const heatmap = new HeatMap($<HTMLCanvasElement>("heatmap"));
const lossChart = new LossChart($<HTMLCanvasElement>("loss"));
const view = new NetworkView(document.getElementById("network-svg") as unknown as SVGSVGElement, {
  addNeuron,
  removeNeuron: (id) => edit(`removed neuron ${neuronLabel(id)}`, (net) => cnx.removeNeurons(net, [id])),
  removeEdge: (a, b) => edit(`removed ${neuronLabel(a)} → ${neuronLabel(b)}`, (net) => cnx.removeConnections(net, [[a, b]])),
  connect: (a, b) => edit(`connected ${neuronLabel(a)} → ${neuronLabel(b)}`, (net) => cnx.addConnections(net, [[a, b]], { key: nextKey() })),
  say,
});

function newSession(): Session {
  const data = makeDataset(current.dataset, random.key(current.seed), POINTS, current.noise);
  return new Session(buildNetwork(current), data, current.learningRate, current.seed);
}

/** A fresh key for each edit that draws new parameters (deterministic per seed and edit). */
function nextKey() {
  return random.foldIn(random.key(current.seed), 1000 + ++editCount);
}

function say(message: string): void {
  $("status").textContent = message;
}

/** The graph part of the settings, read back from the network. */
function syncSettings(): void {
  const net = session.network;
  current = {
    ...current,
    hidden: net.hiddenNeurons.map(Number),
    edges: net.edges().map(([a, b]) => [Number(a), Number(b)] as const),
    dropout: Object.fromEntries([...net.dropoutP].filter(([n, p]) => p > 0 && net.hiddenNeurons.includes(n)).map(([n, p]) => [Number(n), p])),
  };
  history.replaceState(null, "", `?${encodeSettings(current)}`);
}

/** Apply an edit; report what survived (every kept weight should be exactly the same) or why it failed. */
function edit(what: string, change: (net: cnx.NeuralNetwork) => cnx.NeuralNetwork, quiet = false): EditReport | null {
  let report: EditReport;
  try {
    report = session.edit(change);
  } catch (e) {
    // Invalid edits (a cycle, an edge into an input, ...) are typed ConnexErrors: say why.
    if (e instanceof cnx.ConnexError) {
      say(`Not done: ${e.message}`);
      return null;
    }
    throw e;
  }
  marks.push({ step: session.steps, label: what });
  syncSettings();
  view.setNetwork(session.network, report.added);
  renderDropout();
  redraw(true);
  if (!quiet) {
    say(
      `${what[0]!.toUpperCase()}${what.slice(1)}: ${report.keptExactly} of ${report.kept} surviving weights kept exactly` +
        (report.added.length > 0 ? `, ${report.added.length} new (gold)` : "") +
        (report.removed > 0 ? `, ${report.removed} removed` : "") +
        ". Adam's moments restart.",
    );
  }
  return report;
}

function addNeuron(): void {
  const net = session.network;
  const id = Math.max(...net.neurons.map(Number)) + 1;
  // Wired from both inputs and into the output, so the new neuron takes part at once.
  edit(`added neuron ${neuronLabel(id)}`, (n) =>
    cnx.addConnections(cnx.addHiddenNeurons(n, [id], { key: nextKey() }), [...INPUTS.map((i) => [i, id] as [number, number]), [id, OUTPUT]], { key: nextKey() }),
  );
}

function prune(): void {
  const threshold = current.pruneThreshold;
  edit(`pruned |w| < ${threshold}`, (net) => cnx.pruneByMagnitude(net, { threshold }));
}

function regrow(): void {
  edit(`regrew ${current.regrowCount} connections`, (net) => cnx.regrowConnections(net, current.regrowCount, { key: nextKey() }));
}

function renderDropout(): void {
  const list = $("dropout-list");
  list.replaceChildren();
  const net = session.network;
  if (net.hiddenNeurons.length === 0) list.textContent = "no hidden neurons";
  for (const n of net.hiddenNeurons) {
    const p = net.dropoutP.get(n) ?? 0;
    const label = document.createElement("label");
    const input = document.createElement("input");
    Object.assign(input, { type: "range", min: "0", max: "0.9", step: "0.05", value: String(p) });
    input.setAttribute("aria-label", `dropout of ${neuronLabel(n)}`);
    const out = document.createElement("output");
    out.textContent = p.toFixed(2);
    input.addEventListener("input", () => (out.textContent = Number(input.value).toFixed(2)));
    input.addEventListener("change", () => {
      edit(`dropout of ${neuronLabel(n)} set to ${input.value}`, (m) => cnx.setDropoutP(m, { [n]: Number(input.value) }));
      (list.querySelector(`input[aria-label="dropout of ${neuronLabel(n)}"]`) as HTMLInputElement | null)?.focus();
    });
    label.append(neuronLabel(n), input, out);
    list.append(label);
  }
}

function redraw(structure = false): void {
  const probabilities = session.probabilities(grid);
  heatmap.draw(probabilities.length === GRID * GRID ? probabilities : new Float32Array(GRID * GRID).fill(0.5), session.data);
  lossChart.draw(session.losses, marks);
  if (!structure) view.updateWeights(weightsOf(session.network));
  const { loss, accuracy } = session.evaluate();
  $("stat-step").textContent = String(session.steps);
  $("stat-loss").textContent = cnx.viz.formatLoss(loss);
  $("stat-accuracy").textContent = `${(100 * accuracy).toFixed(1)} %`;
  $("network-size").textContent = `(${session.network.hiddenNeurons.length} hidden neurons, ${session.network.numEdges} connections)`;
}

function setPlaying(on: boolean): void {
  playing = on;
  const b = $<HTMLButtonElement>("play");
  b.textContent = on ? "Pause" : "Train";
  b.classList.toggle("active", on);
  b.setAttribute("aria-pressed", String(on));
}

function loop(): void {
  if (playing) {
    const start = performance.now();
    do session.train(1);
    while (performance.now() - start < 12);
    frame++;
    redraw(frame % 4 !== 0);
    if (frame % 4 === 0) view.updateWeights(weightsOf(session.network));
  }
  requestAnimationFrame(loop);
}

function rebuild(message: string): void {
  session = newSession();
  marks.length = 0;
  syncSettings();
  view.setNetwork(session.network);
  renderDropout();
  redraw();
  say(message);
}

function setUpControls(): void {
  const datasets = $("datasets");
  for (const name of DATASETS) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    Object.assign(input, { type: "radio", name: "dataset", value: name, checked: name === current.dataset });
    input.addEventListener("change", () => {
      current = { ...current, dataset: name as DatasetName };
      session.setData(makeDataset(current.dataset, random.key(current.seed), POINTS, current.noise));
      syncSettings();
      redraw();
      say(`Dataset: ${name}. The network keeps its weights; train on.`);
    });
    label.append(input, ` ${name}`);
    datasets.append(label);
  }
  const noise = $<HTMLInputElement>("noise");
  noise.value = String(current.noise);
  $("noise-value").textContent = current.noise.toFixed(2);
  noise.addEventListener("input", () => ($("noise-value").textContent = Number(noise.value).toFixed(2)));
  noise.addEventListener("change", () => {
    current = { ...current, noise: Number(noise.value) };
    session.setData(makeDataset(current.dataset, random.key(current.seed), POINTS, current.noise));
    syncSettings();
    redraw();
  });
  const seed = $<HTMLInputElement>("seed");
  seed.value = String(current.seed);
  seed.addEventListener("change", () => {
    const v = Number(seed.value);
    if (!(Number.isInteger(v) && v >= 0)) return say("The seed is a non-negative integer.");
    current = { ...current, seed: v };
    rebuild(`Seed ${v}: new data and new initial weights.`);
  });
  const lr = $<HTMLSelectElement>("lr");
  if (![...lr.options].some((o) => Number(o.value) === current.learningRate)) lr.add(new Option(String(current.learningRate)));
  lr.value = [...lr.options].find((o) => Number(o.value) === current.learningRate)!.value;
  lr.addEventListener("change", () => {
    current = { ...current, learningRate: Number(lr.value) };
    session.setLearningRate(current.learningRate);
    syncSettings();
  });
  const act = $<HTMLSelectElement>("activation");
  for (const name of Object.keys(ACTIVATIONS)) act.add(new Option(name));
  act.value = current.activation;
  act.addEventListener("change", () => {
    current = { ...current, activation: act.value as ActivationName };
    rebuild(`Hidden activation ${act.value}: the network is rebuilt from the seed.`);
  });
  const threshold = $<HTMLInputElement>("prune-threshold");
  threshold.value = String(current.pruneThreshold);
  $("prune-value").textContent = current.pruneThreshold.toFixed(2);
  threshold.addEventListener("input", () => {
    current = { ...current, pruneThreshold: Number(threshold.value) };
    $("prune-value").textContent = current.pruneThreshold.toFixed(2);
  });
  threshold.addEventListener("change", syncSettings);
  const regrowCount = $<HTMLInputElement>("regrow-count");
  regrowCount.value = String(current.regrowCount);
  regrowCount.addEventListener("change", () => {
    const v = Number(regrowCount.value);
    if (Number.isInteger(v) && v >= 1 && v <= 100) {
      current = { ...current, regrowCount: v };
      syncSettings();
    } else say("Regrow count: an integer from 1 to 100.");
  });
  $("play").addEventListener("click", () => setPlaying(!playing));
  $("step").addEventListener("click", () => {
    session.train(10);
    redraw();
  });
  $("reset").addEventListener("click", () => rebuild("Reset: the network is rebuilt from the seed."));
  $("add-neuron").addEventListener("click", addNeuron);
  $("prune").addEventListener("click", prune);
  $("regrow").addEventListener("click", regrow);
  $("copy-link").addEventListener("click", () => {
    navigator.clipboard?.writeText(location.href).then(
      () => say("Link copied: it holds the graph and the settings."),
      () => say(`Copy this link: ${location.href}`),
    );
  });
  document.addEventListener("keydown", (e) => {
    const t = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || t.closest("input, select, textarea")) return;
    const onControl = t.closest("button, [role=button]") !== null;
    if (e.key === " " && !onControl) {
      e.preventDefault();
      setPlaying(!playing);
    } else if (e.key === "n" || e.key === "N") addNeuron();
    else if (e.key === "p" || e.key === "P") prune();
    else if (e.key === "r" || e.key === "R") regrow();
  });
}

setUpControls();
syncSettings();
view.setNetwork(session.network);
renderDropout();
redraw();
say(problems.length > 0 ? `Link: ${problems.join("; ")}.` : "Press Train (or Space) to start; edit the network at any time.");
requestAnimationFrame(loop);

/** A read-only handle for tests and the console. */
(window as unknown as { playground: unknown }).playground = {
  stats: () => ({ steps: session.steps, losses: session.losses.slice(), numNeurons: session.network.numNeurons, numEdges: session.network.numEdges, hidden: session.network.hiddenNeurons.slice(), ...session.evaluate() }),
};
