import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

// tslab notebooks compile to CommonJS: every package must load through require() from Node,
// from its built dist/ (the test command builds before it runs the tests).
const connexDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function runNode(code: string, type: "commonjs" | "module"): string {
  const args = type === "module" ? ["--input-type=module", "-e", code] : ["-e", code];
  return execFileSync(process.execPath, args, { cwd: connexDir, encoding: "utf8" }).trim();
}

describe("built packages", () => {
  it("load with require() (CommonJS) and compute", () => {
    const out = runNode(
      `const core = require("@connex/core"); const ad = require("@connex/autodiff"); require("@connex/optim"); require("connex");
       const g = ad.grad((x) => core.np.sum(core.np.multiply(x, x)))(core.np.array([1, 2], { dtype: "float32" }));
       console.log(JSON.stringify(g.toArray()));`,
      "commonjs",
    );
    expect(JSON.parse(out)).toEqual([2, 4]);
  });

  it("load with import (ESM)", () => {
    const out = runNode(`import { np } from "@connex/core"; console.log(np.add(np.array([1]), 2).toArray()[0]);`, "module");
    expect(out).toBe("3");
  });

  it("connex/node loads with require() and import, and works on the classes of connex itself (shared chunks, not copies)", () => {
    const check = (load: string) =>
      `${load}
       const net = new cnx.NeuralNetwork({ graph: { 0: [1] }, inputNeurons: [0], outputNeurons: [1] });
       const shown = [];
       const svg = node.show(net, { display: { svg: (s) => shown.push(s), html: () => {} } });
       const bytes = cnx.save(net);
       console.log(JSON.stringify([shown.length === 1 && svg.startsWith("<svg"), cnx.load(bytes) instanceof cnx.NeuralNetwork, typeof node.saveFile, typeof node.loadFile, typeof node.progress]));`;
    const expected = [true, true, "function", "function", "function"];
    expect(JSON.parse(runNode(check(`const cnx = require("connex"); const node = require("connex/node");`), "commonjs"))).toEqual(expected);
    expect(JSON.parse(runNode(check(`import * as cnx from "connex"; import * as node from "connex/node";`), "module"))).toEqual(expected);
  });

  it("the main entry no longer carries the Node-only helpers", () => {
    const out = runNode(`const cnx = require("connex"); console.log(JSON.stringify([typeof cnx.viz.toSVG, typeof cnx.viz.show, typeof cnx.viz.progress, typeof cnx.save]));`, "commonjs");
    expect(JSON.parse(out)).toEqual(["function", "undefined", "undefined", "function"]);
  });
});
