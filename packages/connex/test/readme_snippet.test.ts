import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

describe("the README's code block", () => {
  it("is examples/readme_snippet.ts (type-checked with the examples, and run below)", () => {
    const readme = readFileSync(`${root}README.md`, "utf8");
    const block = readme.split("## The README network")[1]!.split("```ts\n")[1]!.split("```")[0]!;
    const file = readFileSync(`${root}examples/readme_snippet.ts`, "utf8");
    expect(file.split("\n").slice(1).join("\n")).toBe(block);
  });

  it("runs and trains", async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    try {
      await import("../../../examples/readme_snippet.js");
    } finally {
      console.log = log;
    }
    const losses = lines.filter((l) => l.startsWith("epoch")).map((l) => Number(l.split("loss ")[1]));
    expect(losses.length).toBe(5);
    expect(losses[4]!).toBeLessThan(losses[0]!);
    expect(lines.at(-1)).toMatch(/^11 neurons, 14 edges, loss /);
  });
});
