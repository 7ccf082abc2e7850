import { describe, expect, it } from "vitest";
import { atomKeys } from "../../../src/backend/compile/atom_keys.js";
import { ConcreteTensor } from "../../../src/tensor.js";
import { newVar, v } from "./jaxpr_builders.js";

describe("atomKeys", () => {
  it("names a variable by its id and a constant by identity, in order of first sight", () => {
    const key = atomKeys();
    const [x, y] = [newVar([2]), newVar([2])];
    const c = ConcreteTensor.fromData(new Float32Array(2), [2], "float32");
    const equal = ConcreteTensor.fromData(new Float32Array(2), [2], "float32");
    expect(key(v(x))).toBe(`v${x.id}`);
    expect(key(v(y))).not.toBe(key(v(x)));
    expect(key({ kind: "const", value: c })).toBe("c0");
    expect(key({ kind: "const", value: equal })).toBe("c1"); // equal values, another object
    expect(key({ kind: "const", value: c })).toBe("c0");
    // Each call starts its own numbering.
    expect(atomKeys()({ kind: "const", value: equal })).toBe("c0");
  });
});
