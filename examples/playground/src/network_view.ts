/**
 * The network, drawn as an editable SVG with the layout connex's own drawings use
 * (`cnx.viz.layoutNetwork`: dagre's layers and crossing reduction). Edge thickness and colour
 * follow the weights (blue positive, red negative, thicker for larger |w|); hidden neurons are
 * paler the higher their dropout.
 *
 * Mouse: click the background to add a hidden neuron, drag from one neuron to another to connect
 * them, click an edge or a hidden neuron to remove it. Keyboard: Tab to a neuron or an edge;
 * Delete removes it; on a neuron, Enter (or C) picks it as the source of a new connection and
 * Enter on a second neuron connects them; Escape cancels.
 */
import * as cnx from "connex";
import { edgeKey, INPUTS, OUTPUT, type Weights } from "./session.js";

const SVG = "http://www.w3.org/2000/svg";
type NetworkLayout = ReturnType<typeof cnx.viz.layoutNetwork>;
type PlacedEdge = NetworkLayout["edges"][number];
type PlacedNeuron = NetworkLayout["neurons"][number];
const { PALETTE } = cnx.viz;

/** What the view asks the page to do. */
export interface NetworkViewActions {
  addNeuron(): void;
  removeNeuron(id: cnx.NeuronId): void;
  removeEdge(from: cnx.NeuronId, to: cnx.NeuronId): void;
  connect(from: cnx.NeuronId, to: cnx.NeuronId): void;
  /** A message for the status line (e.g. why a click did nothing). */
  say(message: string): void;
}

/** A neuron's name on the page. */
export function neuronLabel(id: cnx.NeuronId): string {
  return id === INPUTS[0] ? "x₁" : id === INPUTS[1] ? "x₂" : id === OUTPUT ? "out" : `h${String(id)}`;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

/** Stroke width and opacity of an edge of weight `w`. */
function edgeStyle(w: number): { width: number; opacity: number; colour: string } {
  const a = Math.tanh(Math.abs(w));
  return { width: 0.8 + 6 * a, opacity: 0.35 + 0.65 * a, colour: w >= 0 ? PALETTE.positive : PALETTE.negative };
}

export class NetworkView {
  private network: cnx.NeuralNetwork | null = null;
  private layout: NetworkLayout | null = null;
  private readonly edgeGroup: SVGGElement;
  private readonly neuronGroup: SVGGElement;
  private readonly dragLine: SVGLineElement;
  private readonly edgePaths = new Map<string, { path: SVGPathElement; group: SVGGElement; from: cnx.NeuronId; to: cnx.NeuronId }>();
  private readonly centres = new Map<cnx.NeuronId, { x: number; y: number }>();
  private drag: { from: cnx.NeuronId; x: number; y: number; moved: boolean } | null = null;
  /** The neuron picked with the keyboard as the source of a new connection. */
  private source: cnx.NeuronId | null = null;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly actions: NetworkViewActions,
  ) {
    this.edgeGroup = el("g", { class: "edges" }, svg);
    this.neuronGroup = el("g", { class: "neurons" }, svg);
    this.dragLine = el("line", { class: "drag-line", visibility: "hidden" }, svg);
    svg.addEventListener("pointerdown", (e) => this.pointerDown(e));
    svg.addEventListener("pointermove", (e) => this.pointerMove(e));
    svg.addEventListener("pointerup", (e) => this.pointerUp(e));
    svg.addEventListener("pointercancel", () => this.endDrag());
  }

  /** Draw `network` (a new structure: laid out afresh), its new edges `highlight`ed for a moment. */
  setNetwork(network: cnx.NeuralNetwork, highlight: readonly (readonly [cnx.NeuronId, cnx.NeuronId])[] = []): void {
    const focused = (document.activeElement as Element | null)?.getAttribute?.("data-key") ?? null;
    this.network = network;
    this.layout = cnx.viz.layoutNetwork(network, { radius: 16, layerGap: 90, neuronGap: 26 });
    const { width, height } = this.layout;
    this.svg.setAttribute("viewBox", `0 0 ${Math.max(width, 200)} ${Math.max(height, 120)}`);
    this.edgeGroup.replaceChildren();
    this.neuronGroup.replaceChildren();
    this.edgePaths.clear();
    this.centres.clear();
    for (const n of this.layout.neurons) this.centres.set(n.id, { x: n.x, y: n.y });
    const fresh = new Set(highlight.map(([a, b]) => edgeKey(a, b)));
    for (const e of this.layout.edges) this.drawEdge(e, fresh.has(edgeKey(e.from, e.to)));
    for (const n of this.layout.neurons) this.drawNeuron(n);
    if (this.source !== null && !this.centres.has(this.source)) this.source = null;
    if (focused !== null) (this.svg.querySelector(`[data-key="${CSS.escape(focused)}"]`) as SVGGElement | null)?.focus();
  }

  /** Restyle the edges for new weights (same structure). */
  updateWeights(weights: Weights): void {
    for (const [key, { path, group, from, to }] of this.edgePaths) {
      const w = weights.get(key);
      if (w === undefined) continue;
      const s = edgeStyle(w);
      path.setAttribute("stroke", s.colour);
      path.setAttribute("stroke-width", s.width.toFixed(2));
      path.setAttribute("stroke-opacity", s.opacity.toFixed(2));
      group.setAttribute("aria-label", `connection ${neuronLabel(from)} to ${neuronLabel(to)}, weight ${w.toFixed(3)}; Delete removes it`);
      group.querySelector("title")!.textContent = `${neuronLabel(from)} → ${neuronLabel(to)}: w = ${w.toFixed(4)} (click to remove)`;
    }
  }

  private drawEdge(e: PlacedEdge, fresh: boolean): void {
    const [first, ...rest] = e.points;
    const d = `M${first!.x},${first!.y}` + rest.map((p) => `L${p.x},${p.y}`).join("");
    const key = edgeKey(e.from, e.to);
    const g = el("g", { class: `edge${fresh ? " fresh" : ""}`, tabindex: 0, role: "button", "data-key": `e:${key}`, "data-from": String(e.from), "data-to": String(e.to) }, this.edgeGroup);
    el("title", {}, g);
    el("path", { d, class: "edge-hit" }, g);
    const path = el("path", { d, class: "edge-line", fill: "none" }, g);
    this.edgePaths.set(key, { path, group: g, from: e.from, to: e.to });
    this.updateWeights(new Map([[key, e.weight]]));
    g.addEventListener("click", (ev) => {
      ev.stopPropagation();
      this.actions.removeEdge(e.from, e.to);
    });
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Delete" || ev.key === "Backspace" || ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        ev.stopPropagation();
        this.actions.removeEdge(e.from, e.to);
      }
    });
  }

  private drawNeuron(n: PlacedNeuron): void {
    const r = this.layout!.radius;
    const label = neuronLabel(n.id);
    const fill = PALETTE[n.role];
    const g = el(
      "g",
      {
        class: `neuron ${n.role}${this.source === n.id ? " source" : ""}`,
        tabindex: 0,
        role: "button",
        "data-key": `n:${String(n.id)}`,
        "data-neuron": String(n.id),
        "aria-label": `${n.role} neuron ${label}${n.dropout > 0 ? `, dropout ${n.dropout}` : ""}; Enter starts a connection${n.role === "hidden" ? ", Delete removes it" : ""}`,
      },
      this.neuronGroup,
    );
    el("title", {}, g).textContent = `${n.role} neuron ${label}${n.dropout > 0 ? ` (dropout ${n.dropout})` : ""}. Drag to another neuron to connect${n.role === "hidden" ? "; click to remove" : ""}.`;
    el("circle", { cx: n.x, cy: n.y, r, fill, "fill-opacity": (1 - 0.8 * n.dropout).toFixed(2), class: "neuron-body" }, g);
    if (n.dropout > 0) el("circle", { cx: n.x, cy: n.y, r: r + 4, class: "dropout-ring", "stroke-dasharray": `${(2 * Math.PI * (r + 4) * n.dropout).toFixed(1)} 400` }, g);
    el("text", { x: n.x, y: n.y + 4, "text-anchor": "middle", class: "neuron-label" }, g).textContent = label;
    g.addEventListener("keydown", (ev) => this.neuronKey(ev, n));
  }

  private neuronKey(ev: KeyboardEvent, n: PlacedNeuron): void {
    if (ev.key === "Delete" || ev.key === "Backspace") {
      ev.preventDefault();
      ev.stopPropagation();
      this.remove(n.id);
    } else if (ev.key === "Enter" || ev.key === "c" || ev.key === "C") {
      ev.preventDefault();
      ev.stopPropagation();
      if (this.source === null) {
        this.source = n.id;
        this.svg.querySelector(`[data-key="n:${CSS.escape(String(n.id))}"]`)?.classList.add("source");
        this.actions.say(`Connecting from ${neuronLabel(n.id)}: Tab to another neuron and press Enter (Escape cancels).`);
      } else {
        const from = this.source;
        this.cancelSource();
        if (from !== n.id) this.actions.connect(from, n.id);
      }
    } else if (ev.key === "Escape" && this.source !== null) {
      this.cancelSource();
      this.actions.say("Connection cancelled.");
    }
  }

  private cancelSource(): void {
    this.source = null;
    this.svg.querySelectorAll(".neuron.source").forEach((e) => e.classList.remove("source"));
  }

  private remove(id: cnx.NeuronId): void {
    if (this.network?.hiddenNeurons.includes(id)) this.actions.removeNeuron(id);
    else this.actions.say(`${neuronLabel(id)} is an ${id === OUTPUT ? "output" : "input"} neuron; only hidden neurons can be removed.`);
  }

  /** The point of a pointer event in the drawing's coordinates. */
  private local(e: PointerEvent): { x: number; y: number } {
    const m = this.svg.getScreenCTM();
    if (m === null) return { x: 0, y: 0 };
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  }

  private neuronAt(e: PointerEvent): cnx.NeuronId | null {
    const hit = document.elementFromPoint(e.clientX, e.clientY)?.closest("[data-neuron]");
    if (!hit) return null;
    const raw = hit.getAttribute("data-neuron")!;
    return this.network?.neurons.find((n) => String(n) === raw) ?? null;
  }

  private pointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const id = this.neuronAt(e);
    if (id === null) return;
    e.preventDefault();
    const c = this.centres.get(id)!;
    this.drag = { from: id, x: e.clientX, y: e.clientY, moved: false };
    this.svg.setPointerCapture(e.pointerId);
    for (const [k, v] of Object.entries({ x1: c.x, y1: c.y, x2: c.x, y2: c.y })) this.dragLine.setAttribute(k, String(v));
  }

  private pointerMove(e: PointerEvent): void {
    if (this.drag === null) return;
    if (Math.hypot(e.clientX - this.drag.x, e.clientY - this.drag.y) > 4) this.drag.moved = true;
    if (!this.drag.moved) return;
    const p = this.local(e);
    this.dragLine.setAttribute("x2", String(p.x));
    this.dragLine.setAttribute("y2", String(p.y));
    this.dragLine.setAttribute("visibility", "visible");
  }

  private pointerUp(e: PointerEvent): void {
    const drag = this.drag;
    this.endDrag();
    if (drag === null) {
      // A click on the background (not on a neuron or an edge) adds a neuron.
      if (e.button === 0 && !(e.target as Element).closest(".edge, .neuron")) this.actions.addNeuron();
      return;
    }
    if (!drag.moved) {
      this.remove(drag.from);
      return;
    }
    const target = this.neuronAt(e);
    if (target !== null && target !== drag.from) this.actions.connect(drag.from, target);
    else this.actions.say("Drop the connection on another neuron.");
  }

  private endDrag(): void {
    this.drag = null;
    this.dragLine.setAttribute("visibility", "hidden");
  }
}
