import { describe, expect, it } from "vitest";
import { nn, np, random, tree, type Tensor } from "@connex/core";
import { InvalidOptionError } from "../../src/errors.js";
import { MLP } from "../../src/mlp.js";
import { NeuralNetwork } from "../../src/network.js";
import { layoutNetwork } from "../../src/viz/layout.js";
import { PALETTE, toSVG } from "../../src/viz/to_svg.js";
import { readmeNetwork } from "../plasticity/testing/readme_network.js";

const readme = () => readmeNetwork({ hiddenActivation: nn.relu, dropoutP: { 4: 0.5 }, key: random.key(0), dtype: "float32" });

/** Checks that tags nest properly (a small well-formedness check, no XML parser needed). */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(svg.replace(/<[^>]*>/g, "")).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|#39);)/);
}

/** Each edge's drawn path attributes, keyed "from>to" (from the tooltips). */
function drawnEdges(svg: string): Map<string, { stroke: string; width: number }> {
  const out = new Map<string, { stroke: string; width: number }>();
  for (const m of svg.matchAll(/<path d="[^"]*" fill="none" stroke="([^"]+)" stroke-width="([\d.]+)"[^>]*><title>(.+?) → (.+?): w = [^<]+<\/title>/g)) {
    out.set(`${m[3]}>${m[4]}`, { stroke: m[1]!, width: Number(m[2]) });
  }
  return out;
}

describe("viz.toSVG", () => {
  it("draws every neuron coloured by role, with dropout neurons dashed and paler", () => {
    const net = readme();
    const svg = toSVG(net, { title: "README <network>" });
    expectWellFormed(svg);
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg).toContain("README &lt;network&gt;");
    const circles = [...svg.matchAll(/<g class="neuron (\w+)"><circle [^>]*fill="([^"]+)" fill-opacity="([\d.]+)"[^>]*?( stroke-dasharray="[^"]+")?><title>(\w+) neuron (\d+)/g)];
    expect(circles.length).toBe(net.numNeurons);
    for (const [, role, fill, opacity, dashed, , id] of circles) {
      expect(fill).toBe(PALETTE[role as "input" | "hidden" | "output"]);
      const n = Number(id);
      expect(role).toBe(n === 0 ? "input" : n === 3 || n === 11 ? "output" : "hidden");
      expect(Boolean(dashed)).toBe(n === 4);
      expect(Math.abs(Number(opacity) - (n === 4 ? 1 - 0.65 * 0.5 : 1))).toBeLessThanOrEqual(0.006);
    }
  });

  it("colours edges by weight sign and widens them with |w|", () => {
    const net = readme();
    const edges = drawnEdges(toSVG(net));
    expect(edges.size).toBe(net.numEdges);
    const weighted = net.toWeightedGraph().edges;
    for (const e of weighted) expect(edges.get(`${e.from}>${e.to}`)!.stroke).toBe(e.weight >= 0 ? PALETTE.positive : PALETTE.negative);
    const sorted = weighted.slice().sort((a, b) => Math.abs(a.weight) - Math.abs(b.weight));
    const widths = sorted.map((e) => edges.get(`${e.from}>${e.to}`)!.width);
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeGreaterThanOrEqual(widths[i - 1]!);
    expect(widths[widths.length - 1]!).toBeGreaterThan(widths[0]!);
  });

  it("highlights neurons and edges in gold, on top", () => {
    const svg = toSVG(readme(), { highlight: { neurons: [5], edges: [[2, 5]] } });
    const lit = svg.slice(svg.indexOf('<g class="highlighted-edges">'), svg.indexOf('<g class="neurons">'));
    expect([...lit.matchAll(/<path /g)].length).toBe(1);
    expect(lit).toContain(`stroke="${PALETTE.highlight}"`);
    expect(lit).toContain("2 → 5");
    expect(svg).toMatch(new RegExp(`stroke="${PALETTE.highlight}" stroke-width="3.5"><title>hidden neuron 5<`));
  });

  it("escapes string neuron ids and keeps 1 and \"1\" apart", () => {
    const net = new NeuralNetwork({ graph: [["<in>", "1"], ["1", 1], ["<in>", 1]], inputNeurons: ["<in>"], outputNeurons: [1] });
    const svg = toSVG(net, { highlight: { edges: [["1", 1]] } });
    expectWellFormed(svg);
    expect(svg).toContain("&lt;in&gt;");
    const lit = svg.slice(svg.indexOf('<g class="highlighted-edges">'), svg.indexOf('<g class="neurons">'));
    expect([...lit.matchAll(/<path /g)].length).toBe(1);
    expect(lit).toContain("&quot;1&quot; → 1");
  });

  it("draws only the strongest maxEdges edges of a big network, and says so", () => {
    const net = MLP({ inputSize: 4, outputSize: 2, width: 12, depth: 2 });
    const svg = toSVG(net, { maxEdges: 50 });
    const plain = svg.slice(svg.indexOf('<g class="edges">'), svg.indexOf('<g class="highlighted-edges">'));
    expect([...plain.matchAll(/<path /g)].length).toBe(50);
    expect(svg).toContain(`(50 strongest of ${net.numEdges} edges shown)`);
  });

  it("rejects invalid options and non-networks with InvalidOptionError", () => {
    expect(() => toSVG({} as NeuralNetwork)).toThrow(InvalidOptionError);
    expect(() => toSVG(readme(), { direction: "RL" as never })).toThrow(/direction must be "LR" or "TB"/);
    expect(() => toSVG(readme(), { engine: "graphviz" as never })).toThrow(/engine must be/);
    expect(() => toSVG(readme(), { radius: -1 })).toThrow(/radius must be a non-negative number/);
  });
});

describe("viz.layoutNetwork", () => {
  for (const engine of ["dagre", "batches"] as const) {
    for (const direction of ["LR", "TB"] as const) {
      it(`${engine}, ${direction}: every edge flows forward and neurons do not overlap`, () => {
        const net = MLP({ inputSize: 3, outputSize: 2, width: 5, depth: 2, key: random.key(1) });
        const layout = layoutNetwork(net, { engine, direction });
        expect(layout.engine).toBe(engine);
        const at = new Map(layout.neurons.map((n) => [n.id, n]));
        for (const e of layout.edges) {
          const [a, b] = [at.get(e.from)!, at.get(e.to)!];
          if (direction === "LR") expect(a.x).toBeLessThan(b.x);
          else expect(a.y).toBeLessThan(b.y);
        }
        for (const p of layout.neurons) {
          for (const q of layout.neurons) if (p !== q) expect(Math.hypot(p.x - q.x, p.y - q.y)).toBeGreaterThanOrEqual(2 * layout.radius);
          expect(p.x).toBeLessThanOrEqual(layout.width);
          expect(p.y).toBeLessThanOrEqual(layout.height);
        }
      });
    }
  }

  it("uses dagre for small networks and topological batches for large ones", () => {
    const net = MLP({ inputSize: 2, outputSize: 1, width: 4, depth: 1 });
    expect(layoutNetwork(net).engine).toBe("dagre");
    expect(layoutNetwork(net, { maxDagreEdges: 3 }).engine).toBe("batches");
    const cols = new Set(layoutNetwork(net, { engine: "batches" }).neurons.map((n) => n.x));
    expect(cols.size).toBe(1 + net.topoBatches.length);
  });

  it("does not change the network", () => {
    const net = readme();
    const before = (tree.leaves(net) as Tensor[]).map((t) => Array.from(t.toTypedArray()));
    toSVG(net);
    expect((tree.leaves(net) as Tensor[]).map((t) => Array.from(t.toTypedArray()))).toEqual(before);
    expect(np.allclose(net.forward(np.array([1]), { inference: true }), readme().forward(np.array([1]), { inference: true }))).toBe(true);
  });
});
