import { describe, expect, it } from "vitest";
import { decodeSettings, DEFAULT_SETTINGS, encodeSettings, type PlaygroundSettings } from "../src/url_state.js";

describe("Playground URL state", () => {
  it("round-trips every setting and the graph", () => {
    const s: PlaygroundSettings = {
      ...DEFAULT_SETTINGS,
      dataset: "spirals",
      noise: 0.12,
      seed: 7,
      activation: "relu",
      learningRate: 0.01,
      hidden: [3, 9],
      edges: [[0, 3], [1, 9], [3, 9], [9, 2], [0, 2]],
      dropout: { 9: 0.25 },
      pruneThreshold: 0.2,
      regrowCount: 3,
    };
    const query = encodeSettings(s);
    expect(query).toContain("edges=0-3,1-9,3-9,9-2,0-2");
    const { settings, problems } = decodeSettings(query);
    expect(problems).toEqual([]);
    expect(settings).toEqual(s);
  });

  it("an empty query gives the defaults", () => {
    expect(decodeSettings("")).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
  });

  it("reports malformed values and keeps the defaults for them", () => {
    const { settings, problems } = decodeSettings("data=moons&noise=3&lr=abc&act=swish&hidden=2&edges=0-3&drop=42:0.5");
    expect(settings.dataset).toBe(DEFAULT_SETTINGS.dataset);
    expect(settings.noise).toBe(DEFAULT_SETTINGS.noise);
    expect(settings.learningRate).toBe(DEFAULT_SETTINGS.learningRate);
    expect(settings.hidden).toEqual(DEFAULT_SETTINGS.hidden);
    expect(problems.join("; ")).toMatch(/unknown dataset moons.*unknown activation swish.*noise=3.*lr=abc.*graph in the link is malformed.*dropout 42:0.5 ignored/);
  });
});
