#!/usr/bin/env python3
"""Generate packages/core/test/fixtures/random.json: reference values for `random`.

JAX itself is not installable here, so this is an independent, deliberately plain NumPy
re-implementation of JAX's key scheme (threefry2x32, 20 rounds, jax_threefry_partitionable=True,
the default since JAX 0.5) and of the samplers in jax/_src/random.py, written from the
published algorithms. It is checked against the values that do come from JAX / Random123
(asserted below before anything is written): the three Random123 known-answer vectors and
`jax.random.split(jax.random.key(0))`.

Float conventions follow XLA on CPU: float32 arithmetic rounds every operation to float32
(NumPy float32 arrays do the same). erf_inv and log are computed here in float64 and rounded
to float32 once; XLA uses polynomial approximations accurate to a few ulps, so the tests
compare those outputs with a small tolerance and everything integer (keys, bits, indices,
booleans) and the uniform floats exactly.

Run once: python3 packages/core/scripts/gen_random_fixtures.py
"""
import json
import math
import os

import numpy as np

U32 = np.uint32
MASK32 = 0xFFFFFFFF


# ----------------------------------------------------------------------------- threefry2x32

def rotl(x, r):
    return ((x << U32(r)) | (x >> U32(32 - r))).astype(U32)


def threefry2x32(k1, k2, x1, x2):
    """Vectorised threefry2x32 over uint32 arrays of one shape (Random123's 20-round variant)."""
    k1, k2, x1, x2 = (np.asarray(v, dtype=U32) for v in (k1, k2, x1, x2))
    with np.errstate(over="ignore"):
        ks = [k1, k2, (k1 ^ k2 ^ U32(0x1BD11BDA)).astype(U32)]
        a = (x1 + ks[0]).astype(U32)
        b = (x2 + ks[1]).astype(U32)
        rotations = [[13, 15, 26, 6], [17, 29, 16, 24]]
        for group in range(5):
            for r in rotations[group % 2]:
                a = (a + b).astype(U32)
                b = rotl(b, r) ^ a
            a = (a + ks[(group + 1) % 3]).astype(U32)
            b = (b + ks[(group + 2) % 3] + U32(group + 1)).astype(U32)
    return a, b


# Known answers from Random123's kat_vectors and JAX's tests (these are NOT produced by this script).
KAT = [
    ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
]
for (k, x, y) in KAT:
    got = threefry2x32(U32(k[0]), U32(k[1]), U32(x[0]), U32(x[1]))
    assert (int(got[0]), int(got[1])) == y, (k, x, got)


# ----------------------------------------------------------------------------- keys

def key(seed):
    """jax.random.PRNGKey(seed) for a 64-bit seed taken as int64 (jax_enable_x64 semantics)."""
    assert -(1 << 63) <= seed < (1 << 63)
    s = seed & ((1 << 64) - 1)
    return np.array([s >> 32, s & MASK32], dtype=U32)


def iota_2x32(shape):
    n = int(np.prod(shape, dtype=np.int64)) if len(shape) else 1
    idx = np.arange(n, dtype=np.uint64).reshape(shape)
    return (idx >> np.uint64(32)).astype(U32), (idx & np.uint64(MASK32)).astype(U32)


def split(k, num=2):
    hi, lo = iota_2x32((num,))
    b1, b2 = threefry2x32(np.full(num, k[0], U32), np.full(num, k[1], U32), hi, lo)
    return np.stack([b1, b2], axis=1)


def fold_in(k, data):
    # threefry_2x32(key, threefry_seed(uint32(data))) with the seed [0, data] as the counter pair.
    y1, y2 = threefry2x32(k[0], k[1], U32(0), U32(data & MASK32))
    return np.array([y1, y2], dtype=U32)


def bits(k, shape):
    hi, lo = iota_2x32(shape)
    b1, b2 = threefry2x32(np.full(shape, k[0], U32), np.full(shape, k[1], U32), hi, lo)
    return (b1 ^ b2).astype(U32)


assert split(key(0)).tolist() == [[1797259609, 2579123966], [928981903, 3453687069]]


def original_layout_bits(k, n):
    """random_bits with jax_threefry_partitionable=False (JAX < 0.5): counters 0..n-1 (padded to
    even length) split in halves as (x1, x2), outputs concatenated. Used only to check this
    script against outputs published in JAX's docs before 0.5."""
    cnt = np.arange(n + n % 2, dtype=U32)
    if n % 2:
        cnt[-1] = 0
    h = len(cnt) // 2
    y1, y2 = threefry2x32(np.full(h, k[0], U32), np.full(h, k[1], U32), cnt[:h], cnt[h:])
    return np.concatenate([y1, y2])[:n]


# Published JAX outputs (original layout), which exercise threefry, the mantissa trick and erf_inv:
# jax.nn.initializers.uniform(10.0)(jax.random.PRNGKey(42), (2, 3)) in the JAX / Flax docs, and
# jax.random.normal(jax.random.key(123), (3,)) in "Deep Learning with Python", 3rd ed., sec. 3.5.3.
_b = original_layout_bits(key(42), 6)
_u = ((_b >> U32(9)) | U32(0x3F800000)).view(np.float32) - np.float32(1.0)
assert (_u * np.float32(10)).astype(np.float32).tolist() == np.array(
    [7.298188, 8.691938, 8.7230015, 2.0818567, 1.8662417, 5.5022564], dtype=np.float32).tolist()
_b = original_layout_bits(key(123), 3)
_lo = np.nextafter(np.float32(-1), np.float32(0))
_u = np.maximum(_lo, (((_b >> U32(9)) | U32(0x3F800000)).view(np.float32) - np.float32(1)) * (np.float32(1) - _lo) + _lo)


# ----------------------------------------------------------------------------- samplers

def uniform32(k, shape, minval=0.0, maxval=1.0):
    b = bits(k, shape)
    fl = ((b >> U32(9)) | U32(0x3F800000)).view(np.float32) - np.float32(1.0)
    lo, hi = np.float32(minval), np.float32(maxval)
    return np.maximum(lo, fl * (hi - lo) + lo).astype(np.float32)


def uniform64(k, shape, minval=0.0, maxval=1.0):
    hi_, lo_ = iota_2x32(shape)
    b1, b2 = threefry2x32(np.full(shape, k[0], U32), np.full(shape, k[1], U32), hi_, lo_)
    b = (b1.astype(np.uint64) << np.uint64(32)) | b2.astype(np.uint64)
    fl = ((b >> np.uint64(12)) | np.uint64(0x3FF0000000000000)).view(np.float64) - 1.0
    return np.maximum(np.float64(minval), fl * (maxval - minval) + minval)


def erfinv64(y):
    """High-precision erf^-1 by bisection on math.erf (monotone), for |y| < 1."""
    if y == 0:
        return 0.0
    lo, hi = (0.0, 7.0) if y > 0 else (-7.0, 0.0)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if math.erf(mid) < y:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def erfinv32(u):
    return np.array([np.float32(erfinv64(float(v))) for v in np.ravel(u)], dtype=np.float32).reshape(np.shape(u))


SQRT2_32 = np.float32(math.sqrt(2))


def normal32(k, shape):
    lo = np.nextafter(np.float32(-1), np.float32(0))
    u = uniform32(k, shape, lo, 1.0)
    return (SQRT2_32 * erfinv32(u)).astype(np.float32)


def truncated_normal32(k, lower, upper, shape):
    lower, upper = np.float32(lower), np.float32(upper)
    a = np.float32(math.erf(float(lower / SQRT2_32)))
    b = np.float32(math.erf(float(upper / SQRT2_32)))
    u = uniform32(k, shape, a, b)
    out = (SQRT2_32 * erfinv32(u)).astype(np.float32)
    return np.clip(out, np.nextafter(lower, np.float32(np.inf)), np.nextafter(upper, np.float32(-np.inf)))


def bernoulli(k, p, shape):
    return uniform32(k, shape) < np.float32(p)


def randint32(k, shape, minval, maxval):
    """JAX's randint for int32 output: two bit draws from split(key), span arithmetic in uint32."""
    k1, k2 = split(k)
    higher = bits(k1, shape).astype(np.int64)
    lower = bits(k2, shape).astype(np.int64)
    mn = np.broadcast_to(np.int64(minval), shape)
    mx = np.broadcast_to(np.int64(maxval), shape)
    span = (mx - mn) & MASK32
    span = np.where(mx <= mn, 1, span)
    mult = (1 << 16) % span
    mult = ((mult * mult) & MASK32) % span  # lax.mul wraps in uint32 (matters when span > 2^16)
    offset = ((higher % span) * mult + (lower % span)) & MASK32  # uint32 wrap-around of mul and add
    offset = offset % span
    out = (mn + offset) & MASK32
    return np.where(out >= (1 << 31), out - (1 << 32), out).astype(np.int32)


def shuffle(k, x, axis=0):
    exponent = 3
    num_rounds = int(math.ceil(exponent * math.log(max(1, x.size)) / math.log(MASK32)))
    for _ in range(num_rounds):
        k, sub = split(k)
        sort_keys = bits(sub, x.shape)
        order = np.argsort(sort_keys, axis=axis, kind="stable")
        x = np.take_along_axis(x, order, axis=axis)
    return x


def permutation(k, x, axis=0, independent=False):
    if np.ndim(x) == 0:
        return shuffle(k, np.arange(x, dtype=np.int32), 0)
    x = np.asarray(x)
    if independent or x.ndim == 1:
        return shuffle(k, x, axis)
    ind = shuffle(k, np.arange(x.shape[axis], dtype=np.int32), 0)
    return np.take(x, ind, axis=axis)


def gumbel32(k, shape):
    tiny = np.finfo(np.float32).tiny
    u = uniform32(k, shape, tiny, 1.0)
    return (-np.log(-np.log(u))).astype(np.float32)


def choice(k, a, shape, replace=True, p=None, axis=0):
    arr = np.asarray(a)
    n_inputs = int(a) if arr.ndim == 0 else arr.shape[axis]
    n_draws = int(np.prod(shape))
    if p is None:
        if replace:
            ind = randint32(k, shape, 0, n_inputs)
            result = ind if arr.ndim == 0 else np.take(arr, ind, axis)
        else:
            perm = permutation(k, n_inputs if arr.ndim == 0 else arr, axis)
            result = np.take(perm, np.arange(n_draws), axis=axis if arr.ndim else 0)
    else:
        p = np.asarray(p, dtype=np.float32)
        if replace:
            p_cuml = np.cumsum(p, dtype=np.float32)
            r = p_cuml[-1] * (np.float32(1) - uniform32(k, shape))
            ind = np.searchsorted(p_cuml, r, side="left").astype(np.int32)
        else:
            g = gumbel32(k, (n_inputs,)) + np.log(p).astype(np.float32)
            ind = np.argsort(-g, kind="stable")[:n_draws].astype(np.int32)
        result = ind if arr.ndim == 0 else np.take(arr, ind, axis)
    out_shape = tuple(shape) if arr.ndim == 0 else arr.shape[:axis] + tuple(shape) + arr.shape[axis + 1:]
    return np.reshape(result, out_shape)


def categorical(k, logits, axis=-1, shape=None):
    logits = np.asarray(logits, dtype=np.float32)
    if axis >= 0:
        axis -= logits.ndim
    batch_shape = tuple(np.delete(logits.shape, axis))
    shape = batch_shape if shape is None else tuple(shape)
    prefix = shape[: len(shape) - len(batch_shape)]
    logits_shape = list(shape[len(shape) - len(batch_shape):])
    logits_shape.insert(axis % logits.ndim, logits.shape[axis])
    g = gumbel32(k, (*prefix, *logits_shape))
    return np.argmax(g + logits.reshape((1,) * len(prefix) + logits.shape), axis=axis).astype(np.int32)


# The published normal values (see above), checked once erf_inv is defined; 2 ulps for XLA's erf_inv.
_n = SQRT2_32 * erfinv32(_u.astype(np.float32))
assert np.allclose(_n, [-0.1470326, 0.5524756, 1.648498], rtol=3e-7, atol=0), _n


# ----------------------------------------------------------------------------- fixture cases

def tolist(x):
    x = np.asarray(x)
    if x.dtype == np.bool_:
        return x.astype(int).tolist()
    if x.dtype in (np.float32, np.float64):
        return [float(v) for v in x.ravel()] if x.ndim else float(x)
    return x.tolist()


def floats(x):
    """Float arrays as flat lists of exact decimal reprs (float32 values are exact in float64)."""
    return [float(v) for v in np.ravel(x).astype(np.float64)]


rng = np.random.default_rng(20240601)
cases = {}

blocks = rng.integers(0, 1 << 32, size=(24, 4), dtype=np.uint64).astype(U32)
y1, y2 = threefry2x32(blocks[:, 0], blocks[:, 1], blocks[:, 2], blocks[:, 3])
cases["threefry"] = [
    {"key": [int(r[0]), int(r[1])], "counter": [int(r[2]), int(r[3])], "out": [int(a), int(b)]}
    for r, a, b in zip(blocks, y1, y2)
]

seeds = [0, 1, 42, -1, -2, 2**31 - 1, 2**31, 2**32, 2**32 + 5, 2**53 - 1, -(2**31), 2**63 - 1, -(2**63), 123456789012345]
cases["key"] = [{"seed": str(s), "key": key(s).tolist()} for s in seeds]

cases["split"] = [
    {"seed": s, "num": n, "keys": split(key(s), n).tolist()}
    for s, n in [(0, 2), (0, 3), (42, 4), (-1, 5), (7, 1), (1701, 8)]
]
cases["foldIn"] = [
    {"seed": s, "data": d, "key": fold_in(key(s), d).tolist()}
    for s, d in [(0, 0), (0, 1), (1, 7), (42, 2**32 - 1), (3, -1), (123, 2**31), (0, 99)]
]
cases["bits"] = [
    {"seed": s, "shape": list(sh), "bits": bits(key(s), sh).ravel().tolist()}
    for s, sh in [(0, ()), (0, (5,)), (7, (2, 3)), (-1, (4,)), (1234, (3, 2, 2))]
]
cases["uniform"] = [
    {"seed": s, "shape": list(sh), "minval": lo, "maxval": hi, "values": floats(uniform32(key(s), sh, lo, hi))}
    for s, sh, lo, hi in [(0, (), 0.0, 1.0), (0, (8,), 0.0, 1.0), (1, (3, 4), -2.0, 3.0), (99, (6,), 10.0, 10.5)]
]
cases["uniform64"] = [
    {"seed": s, "shape": list(sh), "values": floats(uniform64(key(s), sh))} for s, sh in [(0, (6,)), (5, (2, 2))]
]
cases["normal"] = [
    {"seed": s, "shape": list(sh), "values": floats(normal32(key(s), sh))}
    for s, sh in [(0, ()), (0, (8,)), (123, (3,)), (9, (2, 5))]
]
cases["truncatedNormal"] = [
    {"seed": s, "lower": lo, "upper": hi, "shape": list(sh), "values": floats(truncated_normal32(key(s), lo, hi, sh))}
    for s, lo, hi, sh in [(0, -1.0, 1.0, (8,)), (3, -2.0, 2.0, (2, 3)), (11, 0.5, 3.0, (5,))]
]
cases["bernoulli"] = [
    {"seed": s, "p": p, "shape": list(sh), "values": tolist(bernoulli(key(s), p, sh))}
    for s, p, sh in [(0, 0.5, (10,)), (3, 0.3, (16,)), (8, 0.9, (2, 4))]
]
cases["randint"] = [
    {"seed": s, "shape": list(sh), "minval": lo, "maxval": hi, "values": tolist(randint32(key(s), sh, lo, hi))}
    for s, sh, lo, hi in [
        (0, (10,), 0, 10),
        (1, (6,), -5, 5),
        (2, (4,), -(2**31), 2**31 - 1),
        (3, (5,), 7, 7),
        (4, (5,), 9, 3),
        (5, (2, 3), 0, 1000003),
        (6, (), 100, 200),
    ]
]
cases["permutation"] = [
    {"seed": s, "n": n, "values": tolist(permutation(key(s), n))} for s, n in [(0, 10), (1, 1), (2, 2), (42, 17)]
]
# A larger n needs two sort rounds: ceil(3 ln n / ln(2^32 - 1)) = 2 for n > 1625.
cases["permutationLarge"] = {"seed": 5, "n": 2000, "values": tolist(permutation(key(5), 2000))}
mat = np.arange(12, dtype=np.int32).reshape(3, 4)
cases["permutationArray"] = [
    {"seed": 0, "axis": 0, "independent": False, "values": tolist(permutation(key(0), mat, 0))},
    {"seed": 0, "axis": 1, "independent": False, "values": tolist(permutation(key(0), mat, 1))},
    {"seed": 4, "axis": 1, "independent": True, "values": tolist(permutation(key(4), mat, 1, True))},
]
cases["gumbel"] = [{"seed": s, "shape": list(sh), "values": floats(gumbel32(key(s), sh))} for s, sh in [(0, (6,)), (2, (2, 2))]]
cases["categorical"] = [
    {"seed": 0, "logits": [0.0, 1.0, 2.0, -1.0, 0.5], "axis": -1, "shape": None,
     "values": tolist(categorical(key(0), [0.0, 1.0, 2.0, -1.0, 0.5]))},
    {"seed": 1, "logits": [[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]], "axis": -1, "shape": None,
     "values": tolist(categorical(key(1), [[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]))},
    {"seed": 2, "logits": [[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]], "axis": 0, "shape": None,
     "values": tolist(categorical(key(2), [[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]], axis=0))},
    {"seed": 3, "logits": [0.0, 0.5, 1.0], "axis": -1, "shape": [4, 2],
     "values": tolist(categorical(key(3), [0.0, 0.5, 1.0], shape=(4, 2)))},
]
p4 = [0.125, 0.25, 0.5, 0.125]  # exact partial sums: cumsum order cannot matter
cases["choice"] = [
    {"seed": 0, "a": 10, "shape": [5], "replace": True, "p": None, "values": tolist(choice(key(0), 10, (5,)))},
    {"seed": 1, "a": 10, "shape": [4], "replace": False, "p": None, "values": tolist(choice(key(1), 10, (4,), False))},
    {"seed": 2, "a": 4, "shape": [3, 2], "replace": True, "p": p4, "values": tolist(choice(key(2), 4, (3, 2), True, p4))},
    {"seed": 3, "a": 4, "shape": [3], "replace": False, "p": p4, "values": tolist(choice(key(3), 4, (3,), False, p4))},
    {"seed": 4, "a": [[1, 2], [3, 4], [5, 6]], "shape": [2], "replace": True, "p": None,
     "values": tolist(choice(key(4), np.array([[1, 2], [3, 4], [5, 6]], dtype=np.int32), (2,)))},
    {"seed": 5, "a": [[1, 2, 3], [4, 5, 6]], "shape": [2], "replace": False, "p": None, "axis": 1,
     "values": tolist(choice(key(5), np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32), (2,), False, None, 1))},
]

out = {
    "_comment": (
        "Generated by packages/core/scripts/gen_random_fixtures.py, an independent NumPy re-implementation of "
        "JAX's threefry2x32 scheme (partitionable) and samplers, validated in the script against the Random123 "
        "known answers and jax.random.split(jax.random.key(0)). Floats are exact float32 values except "
        "normal/truncatedNormal/gumbel, whose erf_inv/log are float64-accurate here (XLA's are within a few ulps)."
    ),
    **cases,
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "random.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path))
