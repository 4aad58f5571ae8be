#!/usr/bin/python3
"""Writes PyTorch's numbers for nabla's MultiheadAttention and Transformer layers.

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/nn/make_attention_fixtures.py
It writes attention_fixtures.json beside itself, read by tests/nn/test_attention_vs_pytorch.cpp:

  {"torch_version": ..., "cases": {name: case}}. A case holds named tensors
  ({"shape", "dtype": "f64"|"i64", "values"}):
    - the inputs: `x` (the query / source / target), and where used `key`, `value`, `memory`;
    - masks: float masks are additive (f64, with -inf written as the string "-inf"); boolean masks are stored as i64 0/1 with PyTorch's
      meaning (1 = may not attend), which is also nabla's reading of an i64 mask for these layers;
    - the module's parameters under their state_dict names (`self_attn.in_proj_weight`, ...),
      listed in the case's `params`;
    - `out` (and `weights` for MultiheadAttention), `upstream`, and `grad_<name>` for the gradient
      of sum(out * upstream) with respect to every input and parameter.
  The case's other plain values are the layer's constructor arguments.

Everything runs in float64 with dropout 0 (the layers in training mode, as when training), so the
C++ test compares at 1e-10 in f64 and at 1e-5 in f32. The script is deterministic.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20240611)
torch.set_default_dtype(torch.float64)
cases = {}


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        t = t.to(torch.int64)
    dtype = {torch.int64: "i64", torch.float64: "f64"}[t.dtype]
    # JSON has no infinity: additive masks write theirs as the strings "inf" / "-inf".
    values = [v if v not in (float("inf"), float("-inf")) else str(v) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "dtype": dtype, "values": values}


def leaf(*shape):
    return torch.randn(*shape).requires_grad_()


def randomise(module):
    """Zero biases and unit norms hide mistakes; random ones make every parameter visible."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(torch.randn(p.shape) * 0.3)


def record(name, module, inputs, out, args, weights=None, masks=None):
    upstream = torch.randn(out.shape)
    (out * upstream).sum().backward()
    entry = {"out": enc(out), "upstream": enc(upstream), "params": []}
    for key, t in inputs.items():
        entry[key] = enc(t)
        entry["grad_" + key] = enc(t.grad)
    for key, p in module.named_parameters():
        entry[key] = enc(p)
        entry["grad_" + key] = enc(p.grad)
        entry["params"].append(key)
    for key, m in (masks or {}).items():
        entry[key] = enc(m)
    if weights is not None:
        entry["weights"] = enc(weights)
    assert not set(args) & set(entry)
    entry.update(args)
    cases[name] = entry


def causal(length):
    return torch.triu(torch.full((length, length), float("-inf")), diagonal=1)


# ---- MultiheadAttention ---------------------------------------------------------------------------------
# Self-attention, sequence first, an additive attn_mask and a boolean key padding mask.
mha = nn.MultiheadAttention(8, 2)
randomise(mha)
x = leaf(5, 3, 8)
attn_mask = causal(5) + torch.randn(5, 5) * 0.5
padding = torch.tensor([[False] * 5, [False, False, False, False, True], [False, False, False, True, True]])
out, weights = mha(x, x, x, attn_mask=attn_mask, key_padding_mask=padding)
record("mha_self_masks", mha, {"x": x}, out, {"embed_dim": 8, "num_heads": 2, "batch_first": False},
       weights, {"attn_mask": attn_mask, "key_padding_mask": padding})

# Cross-attention, batch first, a boolean attn_mask, weights per head.
mha = nn.MultiheadAttention(12, 3, batch_first=True)
randomise(mha)
x, key, value = leaf(2, 4, 12), leaf(2, 6, 12), leaf(2, 6, 12)
bool_mask = torch.rand(4, 6) < 0.3
bool_mask[:, 0] = False  # every query keeps a key (PyTorch would give NaN otherwise)
out, weights = mha(x, key, value, attn_mask=bool_mask, average_attn_weights=False)
record("mha_cross_batch_first", mha, {"x": x, "key": key, "value": value}, out,
       {"embed_dim": 12, "num_heads": 3, "batch_first": True}, weights, {"attn_mask": bool_mask})

# kdim / vdim different from embed_dim: separate projection weights.
mha = nn.MultiheadAttention(8, 4, kdim=5, vdim=3)
randomise(mha)
x, key, value = leaf(3, 2, 8), leaf(4, 2, 5), leaf(4, 2, 3)
out, weights = mha(x, key, value)
record("mha_kdim_vdim", mha, {"x": x, "key": key, "value": value}, out,
       {"embed_dim": 8, "num_heads": 4, "batch_first": False, "kdim": 5, "vdim": 3}, weights)

# ---- Transformer layers ------------------------------------------------------------------------------------
def layer_args(d_model, nhead, ff, activation, batch_first, norm_first):
    return {"d_model": d_model, "nhead": nhead, "dim_feedforward": ff, "activation": activation,
            "batch_first": batch_first, "norm_first": norm_first}


# Post-norm (PyTorch's default), a causal mask and key padding.
layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
randomise(layer)
x = leaf(6, 2, 8)
padding = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
out = layer(x, src_mask=causal(6), src_key_padding_mask=padding)
record("encoder_layer_post_norm", layer, {"x": x}, out, layer_args(8, 2, 16, "relu", False, False),
       masks={"src_mask": causal(6), "src_key_padding_mask": padding})

# Pre-norm, gelu, batch first.
layer = nn.TransformerEncoderLayer(8, 4, 12, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
randomise(layer)
x = leaf(2, 5, 8)
out = layer(x, src_mask=causal(5))
record("encoder_layer_pre_norm_gelu", layer, {"x": x}, out, layer_args(8, 4, 12, "gelu", True, True),
       masks={"src_mask": causal(5)})

# Decoder layer: causal target mask, memory padding.
layer = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)
randomise(layer)
x, memory = leaf(4, 2, 8), leaf(5, 2, 8)
memory_padding = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
out = layer(x, memory, tgt_mask=causal(4), memory_key_padding_mask=memory_padding)
record("decoder_layer", layer, {"x": x, "memory": memory}, out, layer_args(8, 2, 16, "relu", False, False),
       masks={"tgt_mask": causal(4), "memory_key_padding_mask": memory_padding})

# An encoder stack of two pre-norm layers with a final LayerNorm (PyTorch deep-copies the layer, so
# its weights are randomised after stacking to make the layers differ).
stack = nn.TransformerEncoder(
    nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True), 2,
    norm=nn.LayerNorm(8), enable_nested_tensor=False)
with torch.no_grad():
    for p in stack.parameters():
        p.add_(torch.randn(p.shape) * 0.1)
x = leaf(3, 5, 8)
out = stack(x, mask=causal(5))
record("encoder_stack", stack, {"x": x}, out, dict(layer_args(8, 2, 16, "relu", True, True), num_layers=2),
       masks={"mask": causal(5)})

with open(os.path.join(HERE, "attention_fixtures.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f)
    f.write("\n")
print("wrote", len(cases), "cases")
