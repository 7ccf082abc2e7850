#!/usr/bin/env python3
"""Generate NumPy reference values for the elementwise primitives, np functions and nn.

Writes packages/core/test/fixtures/elementwise.json. Run once; the JSON is committed and tests
never run Python. Non-finite numbers are written as the strings "nan", "inf", "-inf".
erf comes from math.erf; erfinv from mpmath at 50 digits (rounded to float64 / float32).
"""
import json
import math
import os

import mpmath
import numpy as np

mpmath.mp.dps = 50
rng = np.random.default_rng(20240601)


def enc(values):
    out = []
    for v in np.asarray(values, dtype=np.float64).ravel().tolist():
        if math.isnan(v):
            out.append("nan")
        elif math.isinf(v):
            out.append("inf" if v > 0 else "-inf")
        else:
            out.append(v)
    return out


def case(inputs, expected, dtype, shape=None):
    inputs = [np.asarray(a) for a in inputs]
    return {
        "dtype": dtype,
        "shape": list(inputs[0].shape if shape is None else shape),
        "inputs": [enc(a) for a in inputs],
        "expected": enc(expected),
    }


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 1e-8, -1e-8, 20.0, -20.0, 100.0, -100.0,
           np.inf, -np.inf, np.nan]


def floats(n, lo, hi):
    return rng.uniform(lo, hi, size=n)


def logistic(x):
    with np.errstate(over="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def erfinv_exact(y):
    return np.array([float(mpmath.erfinv(mpmath.mpf(float(v)))) if abs(v) < 1 else
                     (math.copysign(math.inf, v) if abs(v) == 1 else math.nan) for v in y])


def unary_cases():
    everywhere = np.concatenate([SPECIAL, floats(40, -10, 10)])
    positive = np.concatenate([[0.0, 1e-300, 1e-8, 0.5, 1.0, 2.0, 1e8, np.inf, np.nan, -1.0], floats(30, 0, 50)])
    above_m1 = np.concatenate([[-1.0, -0.999, -1e-10, 0.0, 1e-10, 1.0, 1e6, np.inf, np.nan, -2.0], floats(30, -1, 10)])
    trig = np.concatenate([[0.0, -0.0, 1.0, -1.0, np.pi / 4, 3.0, 100.0, np.inf, np.nan], floats(30, -7, 7)])
    erf_in = np.concatenate([[0.0, -0.0, 1e-10, 0.3, 1.0, 1.49, 1.5, 1.51, 2.0, 3.0, 4.5, 5.9, 6.1, 27.0, -0.7, -2.2,
                              np.inf, -np.inf, np.nan], floats(40, -6, 6)])
    erfinv_in = np.concatenate([[0.0, -0.0, 1e-300, 1e-10, 0.1, 0.5, -0.5, 0.9, 0.99, 0.999999, 1 - 1e-10,
                                 1 - 2.0 ** -52, -(1 - 2.0 ** -40), 1.0, -1.0, 1.5, np.nan], floats(40, -1, 1)])
    with np.errstate(all="ignore"):
        table = {
            "neg": (everywhere, lambda x: -x),
            "sign": (everywhere, np.sign),
            "abs": (everywhere, np.abs),
            "floor": (everywhere, np.floor),
            "ceil": (everywhere, np.ceil),
            "round": (np.concatenate([everywhere, [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 4.5000001]]), np.round),
            "exp": (everywhere, np.exp),
            "log": (positive, np.log),
            "log1p": (above_m1, np.log1p),
            "expm1": (everywhere, np.expm1),
            "sqrt": (positive, np.sqrt),
            "rsqrt": (positive, lambda x: 1 / np.sqrt(x)),
            "sin": (trig, np.sin),
            "cos": (trig, np.cos),
            "tan": (trig, np.tan),
            "tanh": (everywhere, np.tanh),
            "logistic": (np.concatenate([everywhere, [-800.0, 800.0, -40.0, 40.0]]), logistic),
            "erf": (erf_in, lambda x: np.array([math.erf(v) if not math.isnan(v) else math.nan for v in x])),
            "erf_inv": (erfinv_in, erfinv_exact),
            "is_finite": (everywhere, np.isfinite),
        }
        out = {}
        for name, (x, f) in table.items():
            x64 = np.asarray(x, dtype=np.float64)
            x32 = x64.astype(np.float32)
            out[name] = {
                "float64": case([x64], f(x64), "float64"),
                # float32 references are the float64 function of the float32 inputs, rounded.
                "float32": case([x32], np.asarray(f(x32.astype(np.float64))).astype(np.float32), "float32"),
            }
        return out


def binary_float_cases():
    a = np.concatenate([[0.0, -0.0, 1.0, -1.0, 2.0, 2.0, np.inf, -np.inf, np.nan, 3.0, 5.5, -5.5, 0.0, 7.0],
                        floats(30, -10, 10)])
    b = np.concatenate([[0.0, 0.0, -1.0, 1.0, 2.0, -3.0, np.inf, 2.0, 1.0, np.nan, 2.0, 2.0, 3.0, 0.0],
                        floats(30, -10, 10)])
    pos_a = np.concatenate([[0.0, 0.0, 1.0, 2.0, 0.5, np.inf, 4.0], floats(20, 0, 5)])
    pow_b = np.concatenate([[0.0, 2.0, 0.5, -1.0, 3.0, 0.5, -0.5], floats(20, -3, 3)])
    with np.errstate(all="ignore"):
        table = {
            "add": (a, b, np.add),
            "sub": (a, b, np.subtract),
            "mul": (a, b, np.multiply),
            "div": (a, b, np.divide),
            "rem": (a, b, np.fmod),
            "max": (a, b, np.maximum),
            "min": (a, b, np.minimum),
            "atan2": (a, b, np.arctan2),
            "pow": (pos_a, pow_b, np.power),
            "eq": (a, b, np.equal),
            "ne": (a, b, np.not_equal),
            "lt": (a, b, np.less),
            "le": (a, b, np.less_equal),
            "gt": (a, b, np.greater),
            "ge": (a, b, np.greater_equal),
        }
        out = {}
        for name, (x, y, f) in table.items():
            out[name] = {}
            for dt in (np.float64, np.float32):
                xs, ys = x.astype(dt), y.astype(dt)
                ref = f(xs.astype(np.float64), ys.astype(np.float64))
                if dt == np.float32 and ref.dtype != np.bool_:
                    ref = ref.astype(np.float32)
                out[name][np.dtype(dt).name] = case([xs, ys], ref, np.dtype(dt).name)
        return out


def wrap32(v, unsigned):
    v &= 0xFFFFFFFF
    if not unsigned and v >= 2 ** 31:
        v -= 2 ** 32
    return v


def c_div(a, b, unsigned):
    if b == 0:
        return wrap32(-1, unsigned)
    q = abs(a) // abs(b)
    return wrap32(q if (a < 0) == (b < 0) else -q, unsigned)


def c_rem(a, b, unsigned):
    if b == 0:
        return a
    r = abs(a) % abs(b)
    return wrap32(-r if a < 0 else r, unsigned)


def int_pow(a, b, unsigned):
    if b < 0:
        return 1 if a == 1 else ((1 if b % 2 == 0 else -1) if a == -1 else 0)
    return wrap32(pow(a, b, 2 ** 32), unsigned)


def shift_left(a, s, unsigned):
    s &= 0xFFFFFFFF
    return wrap32(a << s, unsigned) if s < 32 else 0


def shift_right_logical(a, s, unsigned):
    s &= 0xFFFFFFFF
    return wrap32((a & 0xFFFFFFFF) >> s, unsigned) if s < 32 else 0


def shift_right_arithmetic(a, s, unsigned):
    s &= 0xFFFFFFFF
    signed = wrap32(a, False)
    return wrap32(signed >> min(s, 31) if s < 32 else (-1 if signed < 0 else 0), unsigned)


def binary_int_cases():
    imin, imax = -(2 ** 31), 2 ** 31 - 1
    ia = [0, 1, -1, 7, -7, 7, -7, imin, imin, imax, imax, 65536, 12345, 5, -5, 3, -2, 0, 2]
    ib = [1, 1, 3, 2, 2, -2, -2, -1, 1, 1, 2, 65536, 0, 0, 0, 5, 31, -3, 3]
    ia += rng.integers(-1000, 1000, size=20).tolist()
    ib += rng.integers(-1000, 1000, size=20).tolist()
    ua = [0, 1, 7, 2 ** 32 - 1, 2 ** 31, 65536, 12345, 5, 3, 2 ** 32 - 1, 9]
    ub = [1, 3, 2, 2, 1, 65536, 0, 7, 5, 31, 40]
    ua += rng.integers(0, 2 ** 32, size=20).tolist()
    ub += rng.integers(0, 2000, size=20).tolist()
    sa = [1, -1, imin, imax, 12345, -12345, 1, -8, 5, -5, 3]
    ss = [0, 1, 31, 31, 4, 4, 32, 1, 40, 33, -1]
    us = [1, 2 ** 32 - 1, 2 ** 31, 12345, 1, 8, 5, 2 ** 31 + 5, 3]
    uss = [0, 1, 31, 4, 32, 1, 40, 3, 2 ** 32 - 1]
    table = {
        "add": lambda a, b, u: wrap32(a + b, u),
        "sub": lambda a, b, u: wrap32(a - b, u),
        "mul": lambda a, b, u: wrap32(a * b, u),
        "div": c_div,
        "rem": c_rem,
        "pow": int_pow,  # exponents are first brought into [-3, 12] below
        "max": lambda a, b, u: max(a, b),
        "min": lambda a, b, u: min(a, b),
        "and": lambda a, b, u: wrap32(a & b, u),
        "or": lambda a, b, u: wrap32(a | b, u),
        "xor": lambda a, b, u: wrap32(a ^ b, u),
        "eq": lambda a, b, u: int(a == b),
        "lt": lambda a, b, u: int(a < b),
        "ge": lambda a, b, u: int(a >= b),
    }
    out = {}
    for name, f in table.items():
        out[name] = {}
        for dt, (xa, xb) in (("int32", (ia, ib)), ("uint32", (ua, ub))):
            u = dt == "uint32"
            yb = [b % 13 if b >= 0 or u else max(b, -3) for b in xb] if name == "pow" else xb
            exp = [f(a, b, u) for a, b in zip(xa, yb)]
            out[name][dt] = case([np.array(xa, dtype=np.float64), np.array(yb, dtype=np.float64)], exp, dt)
    for name, f in (("shift_left", shift_left), ("shift_right_logical", shift_right_logical),
                    ("shift_right_arithmetic", shift_right_arithmetic)):
        out[name] = {
            "int32": case([np.array(sa, dtype=np.float64), np.array(ss, dtype=np.float64)],
                          [f(a, s, False) for a, s in zip(sa, ss)], "int32"),
            "uint32": case([np.array(us, dtype=np.float64), np.array(uss, dtype=np.float64)],
                           [f(a, s, True) for a, s in zip(us, uss)], "uint32"),
        }
    return out


def np_cases():
    """np-level functions with NumPy semantics (float64 operands)."""
    a = np.concatenate([[7.0, -7.0, 7.0, -7.0, 0.5, -0.5, 5.0, -0.0, 6.0], floats(20, -10, 10)])
    b = np.concatenate([[2.0, 2.0, -2.0, -2.0, 0.3, 0.3, np.inf, 3.0, 0.0], floats(20, 0.5, 4) * rng.choice([-1, 1], 20)])
    ia = np.array([7, -7, 7, -7, 0, 5, -1, 9, -9, 3], dtype=np.int64)
    ib = np.array([2, 2, -2, -2, 3, -3, 5, 4, 4, 3], dtype=np.int64)
    pos = np.concatenate([[1.0, 2.0, 8.0, 10.0, 1000.0, 0.001, 0.0], floats(10, 0.01, 100)])
    with np.errstate(all="ignore"):
        return {
            "floorDivide": {"float64": case([a, b], np.floor_divide(a, b), "float64"),
                            "int32": case([ia, ib], np.floor_divide(ia, ib), "int32")},
            "remainder": {"float64": case([a, b], np.remainder(a, b), "float64"),
                          "int32": case([ia, ib], np.remainder(ia, ib), "int32")},
            "log2": {"float64": case([pos], np.log2(pos), "float64")},
            "log10": {"float64": case([pos], np.log10(pos), "float64")},
        }


def nn_cases():
    x = np.concatenate([[0.0, 1.0, -1.0, 3.0, -3.0, 30.0, -30.0, 150.0, -150.0, 1e-4], floats(22, -6, 6)]).reshape(4, 8)
    with np.errstate(all="ignore"):
        gelu_tanh = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
        erf_v = np.vectorize(math.erf)
        gelu_exact = x * (1 + erf_v(x / math.sqrt(2))) / 2
        sig = logistic(x)
        softplus = np.logaddexp(x, 0.0)
        m = x.max(axis=-1, keepdims=True)
        e = np.exp(x - m)
        softmax = e / e.sum(axis=-1, keepdims=True)
        m0 = x.max(axis=0, keepdims=True)
        e0 = np.exp(x - m0)
        softmax0 = e0 / e0.sum(axis=0, keepdims=True)
        log_softmax = (x - m) - np.log(e.sum(axis=-1, keepdims=True))
        lse = np.log(e.sum(axis=-1)) + m[:, 0]
        mean = x.mean(axis=-1, keepdims=True)
        var = (x ** 2).mean(axis=-1, keepdims=True) - mean ** 2
        standardize = (x - mean) / np.sqrt(var + 1e-5)
    return {
        "x": enc(x), "shape": list(x.shape),
        "relu": enc(np.maximum(x, 0)), "gelu": enc(gelu_tanh), "geluExact": enc(gelu_exact),
        "sigmoid": enc(sig), "softplus": enc(softplus), "silu": enc(x * sig), "tanh": enc(np.tanh(x)),
        "softmax": enc(softmax), "softmaxAxis0": enc(softmax0), "logSoftmax": enc(log_softmax),
        "logsumexp": enc(lse), "standardize": enc(standardize),
    }


def main():
    data = {
        "unary": unary_cases(),
        "binaryFloat": binary_float_cases(),
        "binaryInt": binary_int_cases(),
        "np": np_cases(),
        "nn": nn_cases(),
    }
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "test", "fixtures", "elementwise.json")
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
