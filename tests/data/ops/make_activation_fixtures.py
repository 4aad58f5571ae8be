#!/usr/bin/python3
"""Writes activation_fixtures.json: PyTorch's values, gradients and second derivatives for nabla's
activations and elementwise maths (tests/ops/test_activations_vs_pytorch.cpp).

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/ops/make_activation_fixtures.py
Everything is float64. A case holds its `inputs` (a list, in the call's order), `out`, and where
it is differentiated the weighting `upstream` and `grads`, the gradients of sum(out * upstream)
by input name; smooth cases also hold `upstream2` and `grads2`, the gradients of
sum_i sum(grads[i] * upstream2[i]), which are second derivatives. Random inputs are checked in
f64 and f32 (`f32`: true); edge cases (zeros, the bounds of kinks, thresholds, overflow, the ends
of a domain) in f64 only. JSON has no infinities, so they are the strings "inf" and "-inf"; NaN
is refused here (the C++ test checks NaN results directly).

The `reference` cases come from mpmath instead, at 50 digits: the exact values in the tails where
PyTorch's own erfinv loses digits.
"""
import json
import math
import os

import mpmath
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
cases = {}


def enc(t):
    t = t.detach()
    if t.dtype == torch.int64:
        return {"shape": list(t.shape), "dtype": "i64", "values": t.reshape(-1).tolist()}
    values = []
    for v in t.reshape(-1).tolist():
        assert not math.isnan(v), "NaN has no JSON spelling"
        values.append(v if math.isfinite(v) else ("inf" if v > 0 else "-inf"))
    return {"shape": list(t.shape), "dtype": "f64", "values": values}


def case(name, fn, inputs, order=2, f32=True):
    """fn(*inputs) -> out. order 0: values only; 1: and gradients; 2: and second derivatives."""
    leaves = {}
    for key, value in inputs.items():
        value = value.clone()
        if order > 0 and value.dtype.is_floating_point:
            value.requires_grad_()
        leaves[key] = value
    out = fn(*leaves.values())
    entry = {"inputs": [dict(name=k, **enc(v)) for k, v in leaves.items()], "out": enc(out), "f32": f32}
    if order > 0:
        wrt = [k for k, v in leaves.items() if v.requires_grad]
        upstream = torch.randn(out.shape)
        grads = torch.autograd.grad(out, [leaves[k] for k in wrt], upstream, create_graph=order > 1)
        entry["upstream"] = enc(upstream)
        entry["grads"] = {k: enc(g) for k, g in zip(wrt, grads)}
        if order > 1:
            upstream2 = {k: torch.randn(leaves[k].shape) for k in wrt}
            total = sum((g * upstream2[k]).sum() for k, g in zip(wrt, grads))
            grads2 = torch.autograd.grad(total, [leaves[k] for k in wrt], allow_unused=True)
            entry["upstream2"] = {k: enc(u) for k, u in upstream2.items()}
            entry["grads2"] = {k: enc(g if g is not None else torch.zeros_like(leaves[k]))
                               for k, g in zip(wrt, grads2)}
    cases[name] = entry


def reference(name, fn, xs):
    """Values only, computed by mpmath from the exact doubles xs."""
    mpmath.mp.dps = 50
    cases[name] = {"inputs": [dict(name="x", **enc(torch.tensor(xs)))],
                   "out": enc(torch.tensor([float(fn(mpmath.mpf(x))) for x in xs])), "f32": False}


def rescale_gradients(name, factor):
    """Multiplies a case's first-order gradients by factor (finite values only)."""
    for grad in cases[name]["grads"].values():
        grad["values"] = [v * factor if isinstance(v, float) else v for v in grad["values"]]


def t(*values):
    return torch.tensor(values)


def uniform(lo, hi, *shape):
    return torch.rand(*shape) * (hi - lo) + lo


# ---- activations (the C++ side calls the nn modules) ------------------------------------------------
x = torch.randn(4, 5) * 2
case("elu", nn.ELU(), {"x": x})
case("elu_alpha", nn.ELU(alpha=0.5), {"x": x})
case("selu", nn.SELU(), {"x": x})
# torch's CELU gradient divides by alpha rounded to f32 (derivatives.yaml: 1.0 / alpha.toFloat()),
# so an alpha that f32 holds exactly keeps its gradient exact too.
case("celu", nn.CELU(alpha=0.5), {"x": x})
# 1e-10 and -1e-10: expm1 keeps their digits, exp(x) - 1 would not; -1000: exp underflows.
exponential_edges = t(0.0, -0.0, 1e-10, -1e-10, -30.0, -50.0, -1000.0, 50.0, 1000.0)
case("elu_edges", nn.ELU(), {"x": exponential_edges}, order=1, f32=False)
case("selu_edges", nn.SELU(), {"x": exponential_edges}, order=1, f32=False)
case("celu_edges", nn.CELU(alpha=2.0), {"x": exponential_edges}, order=1, f32=False)

x = torch.randn(3, 4) * 4
case("softplus", nn.Softplus(), {"x": x})
case("softplus_beta_threshold", nn.Softplus(beta=2.0, threshold=5.0), {"x": x})
# Around the threshold 20 (beta x > threshold is linear, equality is not), and deep underflow.
case("softplus_edges", nn.Softplus(),
     {"x": t(0.0, 1e-10, 19.9, 20.0, 20.000001, 21.0, 800.0, -30.0, -100.0, -800.0)}, order=1, f32=False)
case("softplus_beta_threshold_edges", nn.Softplus(beta=2.0, threshold=5.0),
     {"x": t(2.4999, 2.5, 2.5001, -400.0)}, order=1, f32=False)

case("softsign", nn.Softsign(), {"x": torch.randn(3, 4) * 3})
case("softsign_edges", nn.Softsign(), {"x": t(0.0, 1e-10, 1e10, -1e10)}, order=1, f32=False)

case("hardtanh", nn.Hardtanh(), {"x": torch.randn(3, 4) * 2}, order=1)
case("hardtanh_bounds", nn.Hardtanh(-0.5, 0.25), {"x": torch.randn(3, 4)}, order=1)
# At the bounds themselves the gradient is 0 (clamp's would be 1).
case("hardtanh_edges", nn.Hardtanh(), {"x": t(-1.0, 1.0, -1.0000001, 0.9999999, 0.0, -5.0, 5.0)},
     order=1, f32=False)
case("hardsigmoid", nn.Hardsigmoid(), {"x": torch.randn(3, 4) * 4}, order=1)
case("hardsigmoid_edges", nn.Hardsigmoid(), {"x": t(-3.0, 3.0, -3.0001, 2.9999, 0.0, -10.0, 10.0)},
     order=1, f32=False)
# torch's hardsigmoid backward multiplies by 1/6 rounded to f32 (1.0f / 6.0f) even in f64: its
# gradients are rescaled to the exact slope 1/6, which nabla uses.
for name in ("hardsigmoid", "hardsigmoid_edges"):
    rescale_gradients(name, (1 / 6) / torch.tensor(1 / 6, dtype=torch.float32).item())
case("hardswish", nn.Hardswish(), {"x": torch.randn(3, 4) * 4})
# torch's gradient at -3 and 3 is that of the middle piece: -1/2 and 3/2.
case("hardswish_edges", nn.Hardswish(), {"x": t(-3.0, 3.0, -3.0001, 3.0001, 0.0, -10.0, 10.0)},
     order=1, f32=False)

case("silu", nn.SiLU(), {"x": torch.randn(3, 4) * 3})
case("silu_edges", nn.SiLU(), {"x": t(0.0, -1e-10, -100.0, 100.0, -800.0, 800.0)}, order=1, f32=False)
case("mish", nn.Mish(), {"x": torch.randn(3, 4) * 3})
case("mish_edges", nn.Mish(), {"x": t(0.0, -100.0, 20.0, 25.0, 100.0, -1000.0, 1000.0)}, order=1, f32=False)

# prelu: one slope per channel of [N, C, L], one shared slope, and the value at 0.
case("prelu", F.prelu, {"x": torch.randn(2, 3, 4), "weight": torch.randn(3) * 0.5})
case("prelu_shared", F.prelu, {"x": torch.randn(5), "weight": t(0.25)})
case("prelu_edges", F.prelu, {"x": t(0.0, -0.0, 1e-300, -1e300), "weight": t(0.3)}, order=1, f32=False)

# ---- rounding --------------------------------------------------------------------------------------
rounding_edges = t(-2.5, -1.5, -0.5, -0.0, 0.5, 1.5, 2.5, 3.7, -3.7, 0.49999999999999994, 1e20, -1e20)
for name, fn in (("floor", torch.floor), ("ceil", torch.ceil), ("round", torch.round),
                 ("trunc", torch.trunc)):
    case(name, fn, {"x": torch.randn(3, 4) * 3}, order=0)
    case(name + "_edges", fn, {"x": rounding_edges}, order=0)
    case(name + "_integers", fn, {"x": torch.tensor([-7, 0, 3, 2**62])}, order=0)

# ---- remainders ------------------------------------------------------------------------------------
a = torch.randn(3, 4) * 4
b = uniform(0.5, 2.0, 4) * torch.tensor([1.0, -1.0, 1.0, -1.0])
case("fmod", torch.fmod, {"a": a, "b": b}, order=1)
case("remainder", torch.remainder, {"a": a, "b": b}, order=1)
case("fmod_scalar", lambda a: torch.fmod(a, -1.5), {"a": a}, order=1)
case("remainder_scalar", lambda a: torch.remainder(a, -1.5), {"a": a}, order=1)
dividends = t(5.0, -5.0, 5.0, -5.0, 5.5, -5.5, 0.0, -0.0, 1e-300, 7.0, -7.0, 1e20)
divisors = t(3.0, 3.0, -3.0, -3.0, 2.0, 2.0, 3.0, 3.0, 1.0, math.inf, 2.5, 3.0)
case("fmod_edges", torch.fmod, {"a": dividends, "b": divisors}, order=1, f32=False)
case("remainder_edges", torch.remainder, {"a": dividends, "b": divisors}, order=1, f32=False)
integer_dividends = torch.tensor([-7, -6, -1, 0, 1, 6, 7, 7])
integer_divisors = torch.tensor([3, -3, 3, -3, -3, 4, 2, -2])
case("fmod_integers", torch.fmod, {"a": integer_dividends, "b": integer_divisors}, order=0)
case("remainder_integers", torch.remainder, {"a": integer_dividends, "b": integer_divisors}, order=0)

# ---- trigonometry, hyperbolic functions, erfinv --------------------------------------------------------
case("tan", torch.tan, {"x": uniform(-1.4, 1.4, 3, 4)})
case("tan_edges", torch.tan, {"x": t(0.0, -0.0, 1e-10, 1.5707963267948966, 100.0)}, order=1, f32=False)
for name, fn in (("asin", torch.asin), ("acos", torch.acos)):
    case(name, fn, {"x": uniform(-0.99, 0.99, 3, 4)})
    # The ends of the domain: +-pi/2 (or 0, pi), and infinite slopes.
    case(name + "_edges", fn, {"x": t(-1.0, 1.0, 0.0, 1e-10, 0.9999999999)}, order=1, f32=False)
case("atan", torch.atan, {"x": torch.randn(3, 4) * 3})
case("atan_edges", torch.atan, {"x": t(0.0, 1e10, -1e10, 1e300, math.inf, -math.inf)}, order=1, f32=False)
case("atan2", torch.atan2, {"a": torch.randn(3, 4), "b": torch.randn(4)})
# The signs of zero pick the side of the cut along the negative axis, as C's atan2.
case("atan2_edges", torch.atan2,
     {"a": t(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 1.0, -1.0, math.inf, 1e-300),
      "b": t(0.0, 0.0, -0.0, -0.0, -1.0, -1.0, 0.0, 0.0, math.inf, -1.0)}, order=0, f32=False)
for name, fn in (("sinh", torch.sinh), ("cosh", torch.cosh)):
    case(name, fn, {"x": torch.randn(3, 4) * 2})
    case(name + "_edges", fn, {"x": t(0.0, 1e-10, 700.0, -700.0, 710.0, -710.0, 800.0)}, order=1, f32=False)
case("asinh", torch.asinh, {"x": torch.randn(3, 4) * 3})
case("asinh_edges", torch.asinh, {"x": t(0.0, 1e-10, -1e-10, 1e10, -1e10, 1e300, -1e300)}, order=1, f32=False)
case("acosh", torch.acosh, {"x": uniform(1.05, 4.0, 3, 4)})
case("acosh_edges", torch.acosh, {"x": t(1.0, 1.0 + 1e-10, 1e10, 1e300)}, order=1, f32=False)
case("atanh", torch.atanh, {"x": uniform(-0.95, 0.95, 3, 4)})
case("atanh_edges", torch.atanh, {"x": t(0.0, 1.0, -1.0, 1e-10, 0.9999999999)}, order=1, f32=False)
case("erfinv", torch.erfinv, {"x": uniform(-0.95, 0.95, 3, 4)})
# Up to 1 - 1e-6, where torch's erfinv is still exact to about 1e-11; beyond, see the reference.
case("erfinv_edges", torch.erfinv, {"x": t(0.0, -0.0, 1.0, -1.0, 1e-10, 1e-300, 0.5, -0.5, 0.999999, -0.999999)},
     order=1, f32=False)
reference("erfinv_reference", mpmath.erfinv,
          [1e-300, 1e-10, 0.3, 0.5, 0.9, 1 - 1e-6, 1 - 1e-10, -(1 - 1e-13), 1 - 2.0**-52, -(1 - 2.0**-53)])

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "activation_fixtures.json")
with open(path, "w") as f:
    json.dump({"generator": "make_activation_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
print("wrote", path, len(cases), "cases")
