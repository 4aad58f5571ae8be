#!/usr/bin/python3
"""Writes nn_fixtures.json: PyTorch's outputs and gradients for nabla's nn tests.

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/nn/make_fixtures.py
Everything is float64 so the C++ test can compare at 1e-10 in f64 and at 1e-5 after casting to f32.
A case holds named tensors: inputs, `out`, and `grad_<input>` for the gradient of
sum(out * upstream) (or of out itself when it is a scalar).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
cases = {}


def enc(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": "i64" if t.dtype == torch.int64 else "f64",
            "values": t.reshape(-1).tolist()}


def case(name, inputs, out, params=None, upstream=None, extra=None):
    """Backward from out (scalar) or sum(out * upstream); stores inputs, out and every grad."""
    entry = {k: enc(v) for k, v in inputs.items()}
    entry["out"] = enc(out)
    if upstream is None and out.dim() > 0:
        upstream = torch.randn(out.shape)
    if upstream is not None:
        entry["upstream"] = enc(upstream)
        (out * upstream).sum().backward()
    else:
        out.backward()
    for k, v in list(inputs.items()) + list((params or {}).items()):
        if v.dtype.is_floating_point and v.grad is not None:
            entry["grad_" + k] = enc(v.grad)
    for k, v in (params or {}).items():
        entry[k] = enc(v)
    for k, v in (extra or {}).items():
        entry[k] = enc(v) if torch.is_tensor(v) else v
    cases[name] = entry


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_()


# ---- layers ----------------------------------------------------------------------------------
x = leaf(4, 5)
lin = nn.Linear(5, 3)
case("linear", {"x": x}, lin(x), params={"weight": lin.weight, "bias": lin.bias})

x = leaf(2, 3, 5)  # a leading batch axis folded into the GEMM rows
lin = nn.Linear(5, 2, bias=False)
case("linear_3d_nobias", {"x": x}, lin(x), params={"weight": lin.weight})

for shape, label in (((6, 4), "2d"), ((4, 3, 5), "3d")):
    bn = nn.BatchNorm1d(shape[1])
    with torch.no_grad():
        bn.weight.copy_(torch.rand(shape[1]) + 0.5)
        bn.bias.copy_(torch.randn(shape[1]))
    x1 = torch.randn(*shape) * 2 + 1
    bn(x1)  # first training step: updates running stats only
    x2 = leaf(*shape, scale=3.0)
    y2 = bn(x2)
    x3 = torch.randn(*shape)
    bn.eval()
    y3 = bn(x3)
    case("batch_norm_" + label, {"x": x2}, y2, params={"weight": bn.weight, "bias": bn.bias},
         extra={"x1": x1, "x3": x3, "eval_out": y3, "running_mean": bn.running_mean,
                "running_var": bn.running_var, "num_batches_tracked": bn.num_batches_tracked})

x = leaf(3, 4, 5)
ln = nn.LayerNorm([4, 5])
with torch.no_grad():
    ln.weight.copy_(torch.randn(4, 5))
    ln.bias.copy_(torch.randn(4, 5))
case("layer_norm", {"x": x}, ln(x), params={"weight": ln.weight, "bias": ln.bias})

emb = nn.Embedding(6, 3)
idx = torch.tensor([[0, 2, 5], [2, 2, 1]])
case("embedding", {"indices": idx}, emb(idx), params={"weight": emb.weight})

x = leaf(3, 4)
drop = nn.Dropout(0.3)
drop.eval()
case("dropout_eval", {"x": x}, drop(x))

for name, fn in (("gelu", F.gelu), ("relu", F.relu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh),
                 ("leaky_relu", lambda t: F.leaky_relu(t, 0.2)), ("softmax", lambda t: F.softmax(t, 1)),
                 ("log_softmax", lambda t: F.log_softmax(t, 1))):
    x = leaf(3, 4, scale=2.0)
    case(name, {"x": x}, fn(x))

# ---- losses ------------------------------------------------------------------------------------
target = torch.tensor([1, 0, 3, 3, 2])
for reduction in ("mean", "sum", "none"):
    logits = leaf(5, 4, scale=2.0)
    case("cross_entropy_" + reduction, {"logits": logits, "target": target},
         F.cross_entropy(logits, target, reduction=reduction))
logits = leaf(5, 4, scale=2.0)
case("cross_entropy_smoothing", {"logits": logits, "target": target},
     F.cross_entropy(logits, target, label_smoothing=0.1))
ignored = torch.tensor([1, -100, 3, 3, -100])
logits = leaf(5, 4, scale=2.0)
case("cross_entropy_ignore", {"logits": logits, "target": ignored}, F.cross_entropy(logits, ignored))
for reduction in ("mean", "none"):
    logits = leaf(5, 4, scale=2.0)
    soft = torch.softmax(torch.randn(5, 4), 1).requires_grad_()
    case("cross_entropy_soft_" + reduction, {"logits": logits, "target": soft},
         F.cross_entropy(logits, soft, reduction=reduction))
logits = leaf(5, 4, scale=2.0)
soft = torch.softmax(torch.randn(5, 4), 1).requires_grad_()
case("cross_entropy_soft_smoothing", {"logits": logits, "target": soft},
     F.cross_entropy(logits, soft, label_smoothing=0.2))

for reduction in ("mean", "sum", "none"):
    logp = torch.log_softmax(torch.randn(5, 4), 1).requires_grad_()
    case("nll_" + reduction, {"log_probs": logp, "target": target},
         F.nll_loss(logp, target, reduction=reduction))
logp = torch.log_softmax(torch.randn(5, 4), 1).requires_grad_()
case("nll_ignore", {"log_probs": logp, "target": ignored}, F.nll_loss(logp, ignored))

for reduction in ("mean", "sum", "none"):
    logits = leaf(4, 3, scale=3.0)
    y = torch.rand(4, 3).requires_grad_()
    case("bce_" + reduction, {"logits": logits, "target": y},
         F.binary_cross_entropy_with_logits(logits, y, reduction=reduction))
logits = leaf(4, 3, scale=3.0)
y = torch.rand(4, 3).requires_grad_()
pw = torch.rand(3) * 3  # torch 1.13 has no gradient for pos_weight
case("bce_pos_weight", {"logits": logits, "target": y, "pos_weight": pw},
     F.binary_cross_entropy_with_logits(logits, y, pos_weight=pw))

for reduction in ("mean", "sum", "none"):
    a, b = leaf(3, 4), leaf(3, 4)
    case("mse_" + reduction, {"input": a, "target": b}, F.mse_loss(a, b, reduction=reduction))
for reduction in ("mean", "sum", "none"):
    for delta in (1.0, 0.5):
        a, b = leaf(3, 4, scale=1.5), leaf(3, 4)
        case("huber_%s_%g" % (reduction, delta), {"input": a, "target": b},
             F.huber_loss(a, b, reduction=reduction, delta=delta), extra={"delta": delta})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn_fixtures.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote", path, len(cases), "cases")
