"""Generate NumPy reference values for the structure ops (reductions, shape, linalg, indexing,
creation) into packages/core/test/fixtures/structure.json. Run once; the JSON is committed and
tests never run Python:  python3 packages/core/scripts/gen_structure_fixtures.py
"""
import json
import math
import os

import numpy as np

rng = np.random.default_rng(20240501)
cases = []


def enc(a):
    a = np.asarray(a)
    dtype = {"float32": "float32", "float64": "float64", "int32": "int32", "uint32": "uint32", "bool": "bool"}[str(a.dtype)]
    flat = []
    for v in a.reshape(-1).tolist():
        if isinstance(v, float) and math.isnan(v):
            flat.append("nan")
        elif isinstance(v, float) and math.isinf(v):
            flat.append("inf" if v > 0 else "-inf")
        else:
            flat.append(int(v) if dtype in ("int32", "uint32", "bool") else v)
    return {"shape": list(a.shape), "dtype": dtype, "data": flat}


def arr(shape, dtype="float32", lo=-3, hi=3):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in ("int32", "uint32"):
        lo = 0 if dtype == "uint32" else lo
        return rng.integers(lo, hi + 1, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def view(a, kind):
    """The view the test applies to the input before the op (mirrored in the TS test)."""
    if kind is None:
        return a
    if kind == "T":
        return a.T
    if kind.startswith("bcast:"):
        return np.broadcast_to(a, json.loads(kind[6:]))
    if kind == "step2":  # every other element of the first axis
        return a[::2]
    raise ValueError(kind)


def add(op, inputs, params, out, views=None):
    views = views or [None] * len(inputs)
    cases.append({"op": op, "inputs": [enc(x) for x in inputs], "views": views, "params": params, "out": enc(out)})


# Reductions: axes (none, int, negative, tuple), keepdims, dtypes, empty and 0-d inputs, views.
red = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod}
for name, f in red.items():
    for dtype in ["float32", "float64", "int32"]:
        x = arr((2, 3, 4), dtype, -2, 2) if name == "prod" else arr((2, 3, 4), dtype)
        for axis in [None, 0, -1, [0, 2], [-1, -2]]:
            for keepdims in [False, True]:
                ax = tuple(axis) if isinstance(axis, list) else axis
                r = f(x, axis=ax, keepdims=keepdims)
                if name == "mean" and dtype == "int32":
                    r = r.astype("float32")
                if name in ("sum", "prod") and dtype == "int32":
                    r = r.astype("int32")
                add(name, [x], {"axis": axis, "keepdims": keepdims}, np.asarray(r).astype(r.dtype))
    x = arr((3, 4))
    add(name, [x], {"axis": 0}, f(x.T, axis=0), ["T"])
    xb = arr((4,))
    add(name, [xb], {"axis": 1}, f(np.broadcast_to(xb, (3, 4)), axis=1), ["bcast:[3, 4]"])
    x0 = np.asarray(1.5, dtype="float32")
    add(name, [x0], {"axis": None}, np.asarray(f(x0)).astype("float32"))
# bool sums count as int32; prod of bool too; mean of bool is float32; max of bool stays bool.
xbool = arr((3, 5), "bool")
add("sum", [xbool], {"axis": 1}, np.sum(xbool, axis=1).astype("int32"))
add("prod", [xbool], {"axis": 0}, np.prod(xbool, axis=0).astype("int32"))
add("mean", [xbool], {"axis": None}, np.asarray(np.mean(xbool), dtype="float32"))
add("max", [xbool], {"axis": 1}, np.max(xbool, axis=1))
# Empty reductions: sum 0, prod 1, mean nan.
xe = np.zeros((0, 3), dtype="float32")
add("sum", [xe], {"axis": 0}, np.sum(xe, axis=0))
add("prod", [xe], {"axis": 0}, np.prod(xe, axis=0))
add("sum", [xe], {"axis": 1}, np.sum(xe, axis=1))
add("max", [xe], {"axis": 1}, np.zeros((0,), dtype="float32"))
# Zeros inside products; NaN propagates through max.
xz = np.array([[1.0, 0.0, 3.0], [2.0, 4.0, 0.5]], dtype="float32")
add("prod", [xz], {"axis": 1}, np.prod(xz, axis=1))
xn = np.array([[1.0, np.nan, 3.0], [2.0, 4.0, 0.5]], dtype="float32")
add("max", [xn], {"axis": 1}, np.max(xn, axis=1))
add("min", [xn], {"axis": 1}, np.min(xn, axis=1))

for name, f in {"argmax": np.argmax, "argmin": np.argmin}.items():
    x = arr((3, 4, 5), "float32")
    for axis in [None, 0, 1, -1]:
        for keepdims in [False, True]:
            add(name, [x], {"axis": axis, "keepdims": keepdims}, np.asarray(f(x, axis=axis, keepdims=keepdims)).astype("int32"))
    xi = arr((4, 6), "int32", 0, 2)  # many ties: the first wins
    add(name, [xi], {"axis": 1}, f(xi, axis=1).astype("int32"))
    add(name, [xn], {"axis": 1}, f(xn, axis=1).astype("int32"))
    x2 = arr((4, 3))
    add(name, [x2], {"axis": 0}, f(x2.T, axis=0).astype("int32"), ["T"])

for dtype in ["float32", "float64", "int32", "bool"]:
    x = arr((3, 4), dtype)
    for axis in [None, 0, 1, -1]:
        r = np.cumsum(x, axis=axis)
        if dtype in ("int32", "bool"):
            r = r.astype("int32")
        add("cumsum", [x], {"axis": axis}, r)
x = arr((3, 4))
add("cumsum", [x], {"axis": 0, "reverse": True}, np.flip(np.cumsum(np.flip(x, 0), axis=0), 0))
add("cumsum", [x], {"axis": 1}, np.cumsum(x.T, axis=1), ["T"])

# Linear algebra.
for dtype in ["float32", "float64", "int32"]:
    for sa, sb in [((3, 4), (4, 5)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
                   ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 0), (0, 2)), ((0, 3), (3, 2))]:
        a = arr(sa, dtype)
        b = arr(sb, dtype)
        add("matmul", [a, b], {}, np.matmul(a, b).astype(dtype))
a = arr((5, 4)); b = arr((6, 5))
add("matmul", [a, b], {}, np.matmul(a.T, b.T), ["T", "T"])
a = arr((4,)); b = arr((4, 3))
add("matmul", [a, b], {}, np.matmul(np.broadcast_to(a, (2, 4)), b), ["bcast:[2, 4]", None])
a = arr((6, 4)); b = arr((4, 3))
add("matmul", [a, b], {}, np.matmul(a[::2], b), ["step2", None])
a = arr((33, 70)); b = arr((70, 9))
add("matmul", [a, b], {}, np.matmul(a, b))
a = arr((9, 70)); b = arr((33, 9))
add("matmul", [a, b], {}, np.matmul(a.T, b.T), ["T", "T"])
a = arr((3, 2), "bool"); b = arr((2, 4), "bool")
add("matmul", [a, b], {}, np.matmul(a, b))
for sa, sb in [((), (3,)), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 3), (4, 3, 5)), ((2, 2, 3), (4, 3, 5))]:
    a = arr(sa); b = arr(sb)
    add("dot", [a, b], {}, np.asarray(np.dot(a, b)).astype("float32"))
a = arr((3,)); b = arr((2, 2))
add("outer", [a, b], {}, np.outer(a, b))

# Shape ops.
x = arr((2, 3, 4))
add("reshape", [x], {"shape": [4, -1]}, x.reshape(4, -1))
add("reshape", [x], {"shape": [4, 6]}, x.T.reshape(4, 6), ["T"])
add("transpose", [x], {"axes": None}, x.T)
add("transpose", [x], {"axes": [1, -1, 0]}, np.transpose(x, (1, 2, 0)))
add("expandDims", [x], {"axis": [0, -1]}, np.expand_dims(x, (0, -1)))
xs = arr((1, 3, 1))
add("squeeze", [xs], {"axis": None}, np.squeeze(xs))
add("squeeze", [xs], {"axis": -1}, np.squeeze(xs, -1))
add("moveaxis", [x], {"source": 0, "destination": -1}, np.moveaxis(x, 0, -1))
add("moveaxis", [x], {"source": [0, 1], "destination": [-1, 0]}, np.moveaxis(x, [0, 1], [-1, 0]))
add("swapaxes", [x], {"axis1": 0, "axis2": 2}, np.swapaxes(x, 0, 2))
a = arr((2, 3)); b = arr((2, 2), "int32"); c = arr((2, 1), "float64")
add("concatenate", [a, b, c], {"axis": 1}, np.concatenate([a, b.astype("float32"), c], 1))
a2 = arr((3, 3))
add("concatenate", [a, a2], {"axis": -2}, np.concatenate([a, a2], 0))
add("concatenate", [a, b], {"axis": None}, np.concatenate([a, b.astype("float32")], axis=None))
add("concatenate", [a, np.zeros((0, 3), "float32")], {"axis": 0}, np.concatenate([a, np.zeros((0, 3), "float32")], 0))
a = arr((3, 2)); b = arr((2, 3))
add("concatenate", [a, b], {"axis": 0}, np.concatenate([a.T, b], 0), ["T", None])
a = arr((2, 3)); b = arr((2, 3))
for axis in [0, 1, 2, -1]:
    add("stack", [a, b], {"axis": axis}, np.stack([a, b], axis))
for shapes in [[(3,), (2,)], [(2, 3), (2, 1)]]:
    xs_ = [arr(s) for s in shapes]
    add("hstack", xs_, {}, np.hstack(xs_))
for shapes in [[(3,), (3,)], [(2, 3), (3,)], [(1, 2), (3, 2)]]:
    xs_ = [arr(s) for s in shapes]
    add("vstack", xs_, {}, np.vstack(xs_))

# Sorting: stable, NaN last, views.
x = np.array([[3, 1, 2, 1, np.nan, -0.0, 0.0], [5, 5, -1, 2, 2, 7, 1]], dtype="float32")
for axis in [-1, 0, None]:
    add("sort", [x], {"axis": axis}, np.sort(x, axis=axis))
    add("argsort", [x], {"axis": axis}, np.argsort(x, axis=axis, kind="stable").astype("int32"))
xi = arr((4, 6), "int32", 0, 3)
add("sort", [xi], {"axis": 0}, np.sort(xi, axis=0))
add("argsort", [xi], {"axis": 1}, np.argsort(xi, axis=1, kind="stable").astype("int32"))
xt = arr((5, 3))
add("sort", [xt], {"axis": -1}, np.sort(xt.T, axis=-1), ["T"])

# Indexing.
x = arr((4, 5))
for idx, axis in [([2, -1, 0], 0), ([[1, 4], [0, 0]], 1), (3, 1), (-2, None), ([7, 0, -20], None), ([], 0)]:
    add("take", [x], {"indices": idx, "axis": axis}, np.take(x, idx, axis=axis))
add("take", [x], {"indices": [1, 0], "axis": 0}, np.take(x.T, [1, 0], axis=0), ["T"])
x3 = arr((3, 4, 5))
for start, stop, step in [(1, 3, None), ([None, 1], [None, -1], [1, 2]), (-1, None, -1), ([0, 3], [3, 0], [2, -1]),
                          ([10], [20], None), ([None, None, 4], [None, None, 0], [None, None, -2]), (-100, 100, 3)]:
    def py(v):
        return v if isinstance(v, list) else [v]
    s_, e_, t_ = py(start), py(stop), py(step) if step is not None else [None]
    k = max(len(s_), len(e_), len(t_) if isinstance(step, list) else 0)
    sl = tuple(slice(s_[i] if i < len(s_) else None, e_[i] if i < len(e_) else None, (t_[i] if i < len(t_) else None) if isinstance(step, list) else step) for i in range(k))
    add("slice", [x3], {"start": start, "stop": stop, "step": step}, x3[sl])

xa = arr((4, 3))
def at_case(index, method, value, expected_fn):
    y = xa.copy()
    r = expected_fn(y)
    add("at", [xa, np.asarray(value, dtype="float32")], {"index": index, "method": method}, r)
def setv(idx, v):
    def f(y):
        y[idx] = v
        return y
    return f
def addv(idx, v):
    def f(y):
        np.add.at(y, idx, v)
        return y
    return f
at_case(1, "set", 9.0, setv(1, 9.0))
at_case(-1, "add", 2.0, addv(-1, 2.0))
at_case([1, 2], "set", -5.0, setv((1, 2), -5.0))
at_case([[0, 0, 3]], "add", [1.0, 2.0, 3.0], lambda y: (np.add.at(y, ([0, 0, 3],), np.array([1, 2, 3], "float32")), y)[1])
at_case([[0, 2], [1, -1]], "add", 10.0, addv(([0, 2], [1, -1]), 10.0))
at_case([[0, 2], [1, -1]], "get", 0.0, lambda y: y[[0, 2], [1, -1]])
at_case([[[1, 3]]], "get", 0.0, lambda y: y[np.array([[1, 3]])])

# Creation.
def creation(name, args, out):
    cases.append({"op": name, "inputs": [], "views": [], "params": args, "out": enc(out)})
creation("arange", {"args": [5]}, np.arange(5, dtype="int32"))
creation("arange", {"args": [2, 11, 3]}, np.arange(2, 11, 3, dtype="int32"))
creation("arange", {"args": [1, -3, -0.5]}, np.arange(1, -3, -0.5).astype("float32"))
creation("arange", {"args": [0, 1, 0.1]}, np.arange(0, 1, 0.1).astype("float32"))
creation("arange", {"args": [5, 2]}, np.arange(5, 2, dtype="int32"))
creation("linspace", {"args": [0, 1, 5]}, np.linspace(0, 1, 5, dtype="float32"))
creation("linspace", {"args": [-2, 3, 7], "endpoint": False}, np.linspace(-2, 3, 7, endpoint=False).astype("float32"))
creation("linspace", {"args": [1, 2, 1]}, np.linspace(1, 2, 1).astype("float32"))
creation("linspace", {"args": [0, 1, 4], "dtype": "float64"}, np.linspace(0, 1, 4))
creation("eye", {"args": [3]}, np.eye(3, dtype="float32"))
creation("eye", {"args": [2, 4], "k": 1, "dtype": "int32"}, np.eye(2, 4, k=1, dtype="int32"))
creation("eye", {"args": [4, 3], "k": -2}, np.eye(4, 3, k=-2, dtype="float32"))

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "structure.json")
with open(path, "w") as fh:
    json.dump({"generator": "packages/core/scripts/gen_structure_fixtures.py", "numpy": np.__version__, "cases": cases}, fh, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")
