import { describe, expect, it } from "vitest";
import { axisAndOptions, checkAxisType, checkOptions, describeArgument, isOptionsObject, normalizeAxes, normalizeAxis } from "../src/arguments.js";
import { ArgumentTypeError, AxisError, UnknownOptionError, ValueError, np } from "../src/index.js";

describe("axisAndOptions", () => {
  const known = ["axis", "keepdims"];
  it("reads a positional axis (number, array, null) followed by keyword options", () => {
    expect(axisAndOptions("sum", 1, { keepdims: true }, known, true, true)).toEqual({ axis: 1, keepdims: true });
    expect(axisAndOptions("sum", [0, 2], undefined, known, true, true)).toEqual({ axis: [0, 2] });
    expect(axisAndOptions("sum", null, undefined, known, true, true)).toEqual({ axis: null });
    expect(axisAndOptions("sum", undefined, { keepdims: true }, known, true, true)).toEqual({ keepdims: true });
  });
  it("reads an options object in second place", () => {
    expect(axisAndOptions("sum", { axis: -1 }, undefined, known, true, true)).toEqual({ axis: -1 });
  });
  it("rejects wrong types, unknown names, an axis given twice and anything after the options", () => {
    expect(() => axisAndOptions("sum", "1", undefined, known, true, true)).toThrow(ArgumentTypeError);
    expect(() => axisAndOptions("argmax", [0, 1], undefined, known, false, true)).toThrow(/argmax: axis must be an integer or null/);
    expect(() => axisAndOptions("sort", null, undefined, known, false, false)).toThrow(ArgumentTypeError);
    expect(() => axisAndOptions("sum", 1.5, undefined, known, true, true)).toThrow(ArgumentTypeError);
    expect(() => axisAndOptions("sum", { axes: 1 }, undefined, known, true, true)).toThrow(UnknownOptionError);
    expect(() => axisAndOptions("sum", 1, { axis: 1 }, known, true, true)).toThrow(/given both positionally/);
    expect(() => axisAndOptions("sum", { axis: 1 }, { keepdims: true }, known, true, true)).toThrow(/nothing may follow/);
    expect(() => axisAndOptions("sum", np.ones([2]), undefined, known, true, true)).toThrow(/got a float32 tensor of shape \[2\]/);
  });
});

describe("checkOptions", () => {
  it("returns {} for absent options and the object itself otherwise", () => {
    const o = { a: 1 };
    expect(checkOptions("f", undefined, ["a"])).toEqual({});
    expect(checkOptions("f", o, ["a"])).toBe(o);
  });
  it("names the unknown option, the function and the known names; both error types are ValueErrors", () => {
    const e = (() => {
      try {
        checkOptions("f", { b: 1 } as never, ["a"]);
      } catch (err) {
        return err as UnknownOptionError;
      }
    })();
    expect(e).toBeInstanceOf(UnknownOptionError);
    expect(e).toBeInstanceOf(ValueError);
    expect(e?.option).toBe("b");
    expect(e?.where).toBe("f");
    expect(e?.message).toBe('f: unknown option "b" (known: a)');
    expect(() => checkOptions("f", [1] as never, [])).toThrow(ArgumentTypeError);
    expect(() => checkOptions("f", np.ones([1]) as never, [])).toThrow(ArgumentTypeError);
  });
  it("accepts null-prototype objects and rejects class instances", () => {
    expect(isOptionsObject(Object.create(null))).toBe(true);
    expect(isOptionsObject(new Map())).toBe(false);
  });
});

describe("normalizeAxis / normalizeAxes", () => {
  it("count negative axes from the end", () => {
    expect(normalizeAxis("f", -1, 3)).toBe(2);
    expect(normalizeAxes("f", [0, -1], 3)).toEqual([0, 2]);
    expect(normalizeAxes("f", null, 2)).toEqual([0, 1]);
  });
  it("name the function, the axis and the rank", () => {
    expect(() => normalizeAxis("f", 3, 3, [1, 2, 3])).toThrow(new AxisError("f: axis 3 is out of bounds for an array of shape [1, 2, 3] (rank 3)"));
    expect(() => normalizeAxis("f", -3, 2)).toThrow(/f: axis -3 is out of bounds for an array of rank 2/);
    expect(() => normalizeAxes("f", [0, -2], 2)).toThrow(/repeated axis/);
  });
  it("checkAxisType accepts undefined (the default) and rejects strings", () => {
    expect(checkAxisType("f", undefined, false, false)).toBeUndefined();
    expect(() => checkAxisType("f", "0", true, true)).toThrow(ArgumentTypeError);
  });
  it("describeArgument says what a value is", () => {
    expect(describeArgument("1")).toBe('string "1"');
    expect(describeArgument({ axes: 1 })).toBe("an object with keys {axes}");
    expect(describeArgument(new Map())).toBe("a Map");
  });
});
