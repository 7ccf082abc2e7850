import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

// jit reaches core's backend through the `@connex/core/internal` entry point. Built, the two
// entries of core must share one copy of core's modules (one primitive registry, one Tensor
// class) in CommonJS as in ESM, or a jitted result (here made by a fused loop, which the
// backend builds) would not be a Tensor of the public entry.
const autodiffDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function runNode(code: string, type: "commonjs" | "module"): string {
  const args = type === "module" ? ["--input-type=module", "-e", code] : ["-e", code];
  return execFileSync(process.execPath, args, { cwd: autodiffDir, encoding: "utf8" }).trim();
}

describe("built @connex/autodiff with @connex/core's two entry points", () => {
  it("jit runs through require() (CommonJS), its results are the public entry's tensors", () => {
    const out = runNode(
      `const core = require("@connex/core"); const internal = require("@connex/core/internal"); const ad = require("@connex/autodiff");
       const y = ad.jit((x) => core.np.sin(core.np.multiply(x, 2)))(core.np.array([0, 0.5], { dtype: "float64" }));
       console.log(JSON.stringify([y instanceof core.Tensor, y.toArray(), typeof internal.compile, "allocate" in core]));`,
      "commonjs",
    );
    expect(JSON.parse(out)).toEqual([true, [0, Math.sin(1)], "function", false]);
  });

  it("jit runs through import (ESM), its results are the public entry's tensors", () => {
    const out = runNode(
      `import * as core from "@connex/core"; import { jit } from "@connex/autodiff";
       const y = jit((x) => core.np.sin(core.np.multiply(x, 2)))(core.np.array([0, 0.5], { dtype: "float64" }));
       console.log(JSON.stringify([y instanceof core.Tensor, y.toArray()]));`,
      "module",
    );
    expect(JSON.parse(out)).toEqual([true, [0, Math.sin(1)]]);
  });
});
