import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../../src/errors.js";
import { MLP } from "../../src/mlp.js";
import { lossCurve, renderVegaLite, weightHistogram } from "../../src/viz/plots.js";

/** The text drawn in an SVG (Vega writes text content inside <text> elements). */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe("viz plots (Vega-Lite rendered to SVG in Node)", () => {
  it("draws a loss curve with its title, axis titles and marked steps", async () => {
    const losses = Array.from({ length: 50 }, (_, i) => 1 / (i + 1));
    const svg = await lossCurve(losses, { title: "Training", marks: [{ step: 20, label: "prune" }] });
    expect(svg.startsWith("<svg")).toBe(true);
    const t = texts(svg);
    expect(t).toContain("Training");
    expect(t).toContain("step");
    expect(t).toContain("loss");
    expect(t).toContain("prune");
    expect(svg).toMatch(/<path[^>]*d="M[^"]+"/); // the line
  });

  it("draws several runs with a legend in the given order", async () => {
    const svg = await lossCurve({ before: [3, 2, 1], after: [2, 1, 0.5] });
    const t = texts(svg);
    expect(t.indexOf("before")).toBeGreaterThanOrEqual(0);
    expect(t.indexOf("before")).toBeLessThan(t.indexOf("after"));
  });

  it("rejects unusable losses and options", async () => {
    await expect(lossCurve([])).rejects.toThrow(/no finite loss values/);
    await expect(lossCurve({})).rejects.toThrow(/no losses given/);
    await expect(lossCurve([1, -1], { logScale: true })).rejects.toThrow(InvalidOptionError);
    await expect(lossCurve(["a"] as never)).rejects.toThrow(/must be an array of numbers/);
    await expect(lossCurve([1, 2], { width: 0 })).rejects.toThrow(/width must be a positive number/);
    // Non-positive losses switch the default to a linear axis instead of failing.
    await expect(lossCurve([1, 0, -1])).resolves.toContain("<svg");
  });

  it("draws a histogram of a network's weights with a threshold", async () => {
    const net = MLP({ inputSize: 2, outputSize: 1, width: 8, depth: 1 });
    const svg = await weightHistogram(net, { threshold: 0.1 });
    expect(texts(svg)).toContain(`${net.numEdges} weights`);
    expect(texts(svg)).toContain("weight");
    expect(svg.match(/<path[^>]*aria-roledescription="bar"|role-mark-bar|mark-rect/g)?.length ?? 0).toBeGreaterThan(0);
    await expect(weightHistogram([0.1, 0.2, NaN], { threshold: -1 })).rejects.toThrow(/threshold must be a non-negative number/);
    await expect(weightHistogram([NaN])).rejects.toThrow(/no finite weights/);
  });

  it("renders any Vega-Lite spec", async () => {
    const svg = await renderVegaLite({ data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } } });
    expect(svg).toContain("<svg");
    expect(texts(svg)).toContain("a");
  });
});
