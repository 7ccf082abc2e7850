/**
 * What each entry point of @connex/core exposes: the public one keeps backend internals out
 * (at the top level and inside its namespaces), the internal one exposes only the backend
 * boundary autodiff uses.
 */
import { describe, expect, it } from "vitest";
import * as core from "../../src/index.js";
import * as internal from "../../src/internal.js";

/** Every name reachable from a module: its exports and the members of exported namespaces. */
function reachableNames(mod: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(mod)) {
    names.push(name);
    const isNamespace = value !== null && typeof value === "object" && Object.getPrototypeOf(value) === null;
    if (isNamespace) for (const inner of Object.keys(value as object)) names.push(`${name}.${inner}`);
  }
  return names;
}

describe("@connex/core entry points", () => {
  it("the public entry exports no backend internals, at the top level or in a namespace", () => {
    const BACKEND = ["allocate", "recycle", "typedArrayFor", "allocateTyped", "recycleTyped", "fusedKernel", "elementwise", "compile", "fuse", "formatJaxpr"];
    const names = reachableNames(core as unknown as Record<string, unknown>);
    expect(names).toContain("np.add"); // namespaces are walked
    const leaked = names.filter((n) => BACKEND.includes(n.split(".").pop()!));
    expect(leaked).toEqual([]);
  });

  it("the public entry keeps what defining primitives and transformations needs (as jax.extend)", () => {
    for (const name of ["definePrimitive", "allPrimitives", "bind", "bind1", "Trace", "Tracer", "concretizationError"]) expect(core).toHaveProperty(name);
  });

  it("the internal entry is the compile boundary, the jaxpr printer, the pool choice's counts and the deletion marks jit checks, nothing else", () => {
    expect(Object.keys(internal).sort()).toEqual(["compile", "coversStorage", "deletionCause", "formatJaxpr", "poolChoiceCounts"]);
  });
});
