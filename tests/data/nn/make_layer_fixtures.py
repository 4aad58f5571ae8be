#!/usr/bin/python3
"""Writes layer_fixtures.json: PyTorch's numbers for the layers issue 10 added to nabla.

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/nn/make_layer_fixtures.py
Read by tests/nn/test_layers_vs_pytorch.cpp. {"torch_version": ..., "cases": {name: case}}; a case
holds named tensors ({"shape", "dtype": "f64"|"i64", "values"}): the inputs and parameters under
their PyTorch names, `out`, `upstream`, and `grad_<name>` for the gradient of sum(out * upstream)
with respect to every floating input and parameter that takes one (class weights, targets and
indices take none). A case's plain JSON values (numbers, strings, lists, booleans) are the layer's
arguments. Everything is float64, so the C++ test compares at 1e-10 in f64 and at 1e-5 after
casting to f32.

The families: class-weighted cross_entropy and nll_loss (with ignore_index and label smoothing);
Conv1d, MaxPool1d, AvgPool1d; dilated max pooling, its indices and MaxUnpool2d; pad's reflect,
replicate and circular modes; GroupNorm, InstanceNorm1d/2d; Bilinear; CosineSimilarity and
PairwiseDistance; interpolate (nearest, bilinear with and without align_corners, by size and by
scale factor) and pixel (un)shuffle; Conv3d, MaxPool3d and AvgPool3d. The script is deterministic: running it again writes the same file.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261201)
torch.set_default_dtype(torch.float64)
cases = {}


def enc(t):
    t = t.detach()
    dtype = {torch.int64: "i64", torch.float64: "f64"}[t.dtype]
    return {"shape": list(t.shape), "dtype": dtype, "values": t.reshape(-1).tolist()}


def record(name, tensors, out, args=None, extra=None):
    """Back-propagates sum(out * upstream) and stores the tensors, out, upstream, grads and args."""
    upstream = torch.randn(out.shape)
    if out.requires_grad:
        (out * upstream).sum().backward()
    entry = {"out": enc(out), "upstream": enc(upstream)}
    for key, t in tensors.items():
        entry[key] = enc(t)
        if t.dtype.is_floating_point and t.grad is not None:
            entry["grad_" + key] = enc(t.grad)
    for key, value in (args or {}).items():
        assert key not in entry, "an argument would hide a tensor of the same name"
        entry[key] = value
    for key, value in (extra or {}).items():
        entry[key] = enc(value) if torch.is_tensor(value) else value
    assert name not in cases
    cases[name] = entry


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_()


def module_case(name, module, inputs, args, extra_tensors=None):
    """A module called with `inputs` (a dict, in call order); its parameters are stored too."""
    out = module(*inputs.values())
    record(name, {**inputs, **dict(module.named_parameters()), **(extra_tensors or {})}, out, args)


def randomise_affine(module):
    """Default affine parameters are ones and zeros; random ones make a misplaced one visible."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape) * 0.5 + (1.0 if p is getattr(module, "weight", None) else 0.0))
    return module


# ---- class weights in cross_entropy and nll_loss ---------------------------------------------------
CROSS_ENTROPY = [
    # name, rows, classes, targets, ignore_index, label_smoothing, reduction
    ("cross_entropy_weighted_mean", 6, 5, [0, 4, 2, 2, 1, 3], -100, 0.0, "mean"),
    # ignore_index is a real class (2): those rows count neither in the sum nor in the weights' total
    ("cross_entropy_weighted_ignore_smoothing", 6, 5, [0, 2, 4, 2, 1, 3], 2, 0.15, "mean"),
    ("cross_entropy_weighted_sum_smoothing", 5, 4, [3, 0, 1, 1, 2], -100, 0.3, "sum"),
    ("cross_entropy_weighted_none_ignore", 5, 4, [3, -100, 1, 0, 2], -100, 0.1, "none"),
]
for name, rows, classes, targets, ignore, smoothing, reduction in CROSS_ENTROPY:
    logits = leaf(rows, classes, scale=2.0)
    target = torch.tensor(targets)
    weight = torch.rand(classes) * 2 + 0.2
    out = F.cross_entropy(logits, target, weight=weight, ignore_index=ignore, reduction=reduction,
                          label_smoothing=smoothing)
    record(name, {"input": logits, "target": target, "weight": weight}, out,
           {"ignore_index": ignore, "label_smoothing": smoothing, "reduction": reduction})

for name, smoothing in (("cross_entropy_weighted_probabilities", 0.0),
                        ("cross_entropy_weighted_probabilities_smoothing", 0.2)):
    logits = leaf(4, 5)
    target = torch.softmax(torch.randn(4, 5) * 2, 1)
    weight = torch.rand(5) * 2 + 0.2
    out = F.cross_entropy(logits, target, weight=weight, label_smoothing=smoothing)
    record(name, {"input": logits, "target": target, "weight": weight}, out,
           {"ignore_index": -100, "label_smoothing": smoothing, "reduction": "mean"})

NLL = [
    ("nll_loss_weighted_mean", [1, 0, 3, 3, 2], -100, "mean"),
    ("nll_loss_weighted_ignore", [1, 0, 3, 1, 2], 1, "mean"),
    ("nll_loss_weighted_sum", [1, 0, 3, 3, 2], -100, "sum"),
    ("nll_loss_weighted_none", [1, 0, -100, 3, 2], -100, "none"),
]
for name, targets, ignore, reduction in NLL:
    log_probs = torch.log_softmax(torch.randn(5, 4), 1).requires_grad_()
    target = torch.tensor(targets)
    weight = torch.rand(4) * 2 + 0.2
    out = F.nll_loss(log_probs, target, weight=weight, ignore_index=ignore, reduction=reduction)
    record(name, {"input": log_probs, "target": target, "weight": weight}, out,
           {"ignore_index": ignore, "reduction": reduction})

# ---- Conv1d ------------------------------------------------------------------------------------------
CONV1D = [
    # name, N, C_in, L, C_out, kernel, stride, padding, dilation, groups, bias
    ("conv1d_plain", 2, 3, 9, 4, 3, 1, 0, 1, 1, True),
    ("conv1d_stride2_pad2_dilation2_groups2", 2, 4, 11, 6, 3, 2, 2, 2, 2, True),
    ("conv1d_pointwise_nobias", 1, 3, 5, 2, 1, 1, 0, 1, 1, False),
]
for name, n, cin, length, cout, k, s, p, d, g, bias in CONV1D:
    conv = nn.Conv1d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias)
    if bias:
        with torch.no_grad():
            conv.bias.copy_(torch.randn(cout))
    module_case(name, conv, {"x": leaf(n, cin, length)},
                {"in_channels": cin, "out_channels": cout, "kernel_size": k, "stride": s, "padding": p,
                 "dilation": d, "groups": g, "has_bias": bias})

# ---- 1-D pooling -------------------------------------------------------------------------------------
MAX_POOL1D = [
    # name, shape, kernel, stride, padding, dilation, ceil_mode
    ("max_pool1d_k3_s2_p1", (2, 3, 9), 3, 2, 1, 1, False),
    ("max_pool1d_dilation2_ceil", (1, 2, 10), 2, 2, 0, 2, True),
    ("max_pool1d_k2", (2, 2, 6), 2, None, 0, 1, False),
]
for name, shape, k, s, p, d, ceil in MAX_POOL1D:
    x = leaf(*shape)
    out, indices = F.max_pool1d(x, k, s, p, d, ceil_mode=ceil, return_indices=True)
    record(name, {"x": x}, out,
           {"kernel_size": k, "stride": s if s is not None else k, "padding": p, "dilation": d, "ceil_mode": ceil},
           {"indices": indices})

AVG_POOL1D = [
    # name, shape, kernel, stride, padding, ceil_mode, count_include_pad
    ("avg_pool1d_k3_s2_p1_include", (2, 3, 8), 3, 2, 1, False, True),
    ("avg_pool1d_k3_s2_p1_exclude", (2, 3, 8), 3, 2, 1, False, False),
    ("avg_pool1d_ceil", (1, 2, 7), 2, 2, 0, True, True),
]
for name, shape, k, s, p, ceil, include in AVG_POOL1D:
    module_case(name, nn.AvgPool1d(k, s, p, ceil_mode=ceil, count_include_pad=include), {"x": leaf(*shape)},
                {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil, "count_include_pad": include})

# ---- dilated max pooling with indices, and max unpooling ---------------------------------------------
MAX_POOL2D = [
    # name, shape, kernel, stride, padding, dilation, ceil_mode
    ("max_pool2d_dilation2_pad1", (1, 2, 7, 7), 3, 1, 1, 2, False),
    ("max_pool2d_dilation_rect_ceil", (2, 1, 8, 7), (2, 3), 2, (1, 0), (2, 1), True),
    ("max_pool2d_indices_2x2", (2, 2, 4, 6), 2, 2, 0, 1, False),
]
for name, shape, k, s, p, d, ceil in MAX_POOL2D:
    x = leaf(*shape)
    pool = nn.MaxPool2d(k, s, p, d, return_indices=True, ceil_mode=ceil)
    out, indices = pool(x)
    pair = lambda v: list(v) if isinstance(v, tuple) else [v, v]  # noqa: E731
    record(name, {"x": x}, out,
           {"kernel_size": pair(k), "stride": pair(s), "padding": pair(p), "dilation": pair(d), "ceil_mode": ceil},
           {"indices": indices})

UNPOOL = [
    # name, shape pooled, kernel, stride, padding, output_size (None: inferred)
    ("max_unpool2d_2x2", (2, 2, 4, 6), 2, 2, 0, None),
    ("max_unpool2d_output_size", (1, 2, 5, 5), 2, 2, 0, [5, 5]),
    # overlapping windows: one input can be the maximum of two, so an index repeats
    ("max_unpool2d_overlapping_pad", (1, 1, 6, 6), 3, 2, 1, [6, 6]),
]
for name, shape, k, s, p, size in UNPOOL:
    with torch.no_grad():
        pooled, indices = F.max_pool2d(torch.randn(*shape), k, s, p, return_indices=True)
    x = pooled.clone().requires_grad_()
    out = nn.MaxUnpool2d(k, s, p)(x, indices, output_size=size)
    record(name, {"x": x}, out, {"kernel_size": [k, k], "stride": [s, s], "padding": [p, p],
                                 "output_size": size}, {"indices": indices})

# ---- pad modes ---------------------------------------------------------------------------------------
PAD = [
    # name, shape, pads (last axis first), mode
    ("pad_reflect_1d", (2, 3, 6), (2, 3), "reflect"),
    ("pad_reflect_2d", (1, 2, 4, 5), (1, 2, 3, 0), "reflect"),
    ("pad_replicate_2d", (1, 2, 3, 4), (2, 1, 0, 3), "replicate"),
    ("pad_replicate_3d", (1, 1, 2, 3, 4), (1, 1, 2, 0, 1, 1), "replicate"),
    ("pad_circular_1d", (2, 2, 5), (3, 2), "circular"),
    ("pad_circular_2d", (1, 2, 3, 4), (1, 4, 2, 0), "circular"),
]
for name, shape, pads, mode in PAD:
    x = leaf(*shape)
    record(name, {"x": x}, F.pad(x, pads, mode=mode), {"pads": list(pads), "mode": mode})

# ---- GroupNorm and InstanceNorm ---------------------------------------------------------------------
GROUP_NORM = [
    # name, shape, groups, eps, affine
    ("group_norm_2_of_6", (2, 6, 3, 3), 2, 1e-5, True),
    ("group_norm_no_affine_sequence", (3, 4, 5), 2, 1e-3, False),
    ("group_norm_groups_equal_channels", (2, 3, 2, 2), 3, 1e-5, True),
    ("group_norm_one_group", (2, 4, 3), 1, 1e-5, True),
]
for name, shape, groups, eps, affine in GROUP_NORM:
    norm = nn.GroupNorm(groups, shape[1], eps=eps, affine=affine)
    randomise_affine(norm)
    module_case(name, norm, {"x": leaf(*shape, scale=2.0)},
                {"num_groups": groups, "num_channels": shape[1], "eps": eps, "affine": affine})

# PyTorch's defaults (no affine, no running statistics): evaluation still uses the instance's own.
norm = nn.InstanceNorm2d(3)
module_case("instance_norm2d_defaults", norm, {"x": leaf(2, 3, 4, 4, scale=2.0)}, {"eps": 1e-5, "momentum": 0.1,
            "affine": False, "track_running_stats": False})

# One training step with affine and running statistics, then evaluation with them.
for name, module, shape, eval_shape in (
        ("instance_norm2d_affine_running", nn.InstanceNorm2d(3, eps=1e-3, momentum=0.3, affine=True,
                                                              track_running_stats=True), (2, 3, 3, 4), (2, 3, 2, 2)),
        ("instance_norm1d_affine_running", nn.InstanceNorm1d(4, affine=True, track_running_stats=True),
         (3, 4, 5), (1, 4, 6))):
    randomise_affine(module)
    x = leaf(*shape, scale=2.0)
    out = module(x)
    module.eval()
    x_eval = torch.randn(*eval_shape) * 2 + 1
    eval_out = module(x_eval)
    record(name, {"x": x, **dict(module.named_parameters())}, out,
           {"eps": module.eps, "momentum": module.momentum, "affine": True, "track_running_stats": True,
            "rank": len(shape)},
           {"x_eval": x_eval, "eval_out": eval_out, "running_mean": module.running_mean,
            "running_var": module.running_var, "num_batches_tracked": module.num_batches_tracked})

# ---- Bilinear ----------------------------------------------------------------------------------------
for name, shape1, shape2, out_features, bias in (("bilinear", (4, 3), (4, 5), 2, True),
                                                 ("bilinear_batched_nobias", (2, 3, 4), (2, 3, 2), 3, False)):
    layer = nn.Bilinear(shape1[-1], shape2[-1], out_features, bias=bias)
    module_case(name, layer, {"x1": leaf(*shape1), "x2": leaf(*shape2)},
                {"in1_features": shape1[-1], "in2_features": shape2[-1], "out_features": out_features,
                 "has_bias": bias})

# ---- CosineSimilarity and PairwiseDistance -----------------------------------------------------------
COSINE = [
    # name, shape1, shape2, dim, eps, scale of x1
    ("cosine_similarity_dim1", (4, 6), (4, 6), 1, 1e-8, 1.0),
    ("cosine_similarity_broadcast_last", (2, 3, 5), (3, 5), -1, 1e-8, 1.0),
    # |x1| below eps: which of x1 . x2 / max(|x1| |x2|, eps) and x1 / max(|x1|, eps) . x2 / max(|x2|, eps)
    # PyTorch computes shows here
    ("cosine_similarity_small_norms", (3, 4), (3, 4), 1, 0.1, 0.01),
]
for name, shape1, shape2, dim, eps, scale in COSINE:
    module_case(name, nn.CosineSimilarity(dim, eps), {"x1": leaf(*shape1, scale=scale), "x2": leaf(*shape2)},
                {"dim": dim, "eps": eps})

DISTANCE = [
    # name, shape1, shape2, p, eps, keepdim
    ("pairwise_distance_p2", (4, 6), (4, 6), 2.0, 1e-6, False),
    ("pairwise_distance_p1_keepdim", (3, 5), (3, 5), 1.0, 1e-6, True),
    ("pairwise_distance_p3_broadcast", (2, 3, 4), (4,), 3.0, 1e-4, False),
]
for name, shape1, shape2, p, eps, keepdim in DISTANCE:
    module_case(name, nn.PairwiseDistance(p, eps, keepdim), {"x1": leaf(*shape1), "x2": leaf(*shape2)},
                {"p": p, "eps": eps, "keepdim": keepdim})

# ---- interpolate / Upsample and pixel shuffle --------------------------------------------------------
INTERPOLATE = [
    # name, shape, size, scale_factor, mode, align_corners
    ("interpolate_nearest_scale2", (2, 2, 3, 3), None, 2.0, "nearest", None),
    ("interpolate_nearest_size", (1, 2, 3, 4), [5, 7], None, "nearest", None),
    # a factor that is not the ratio of the rounded sizes: floor(5 * 1.5) = 7, source i / 1.5
    ("interpolate_nearest_scale1_5", (1, 1, 5, 4), None, 1.5, "nearest", None),
    ("interpolate_nearest_downsample", (1, 2, 7, 6), [3, 4], None, "nearest", None),
    ("interpolate_bilinear_size", (2, 2, 3, 4), [5, 7], None, "bilinear", False),
    ("interpolate_bilinear_align_corners", (2, 2, 3, 4), [5, 7], None, "bilinear", True),
    ("interpolate_bilinear_scale1_5", (1, 2, 4, 5), None, 1.5, "bilinear", False),
    ("interpolate_bilinear_downsample_align_corners", (1, 1, 7, 6), [3, 4], None, "bilinear", True),
    ("interpolate_bilinear_downsample", (1, 1, 7, 6), [3, 2], None, "bilinear", False),
]
for name, shape, size, factor, mode, align in INTERPOLATE:
    x = leaf(*shape)
    out = nn.Upsample(size=tuple(size) if size else None, scale_factor=factor, mode=mode, align_corners=align)(x)
    record(name, {"x": x}, out, {"size": size, "scale_factor": factor, "mode": mode, "align_corners": bool(align)})

for name, shape, factor in (("pixel_shuffle_2", (2, 8, 2, 3), 2), ("pixel_shuffle_3", (1, 9, 2, 2), 3)):
    x = leaf(*shape)
    record(name, {"x": x}, nn.PixelShuffle(factor)(x), {"factor": factor})
x = leaf(2, 2, 4, 6)
record("pixel_unshuffle_2", {"x": x}, nn.PixelUnshuffle(2)(x), {"factor": 2})

# ---- Conv3d and 3-D pooling ---------------------------------------------------------------------------
def triple(v):
    return list(v) if isinstance(v, tuple) else [v, v, v]


CONV3D = [
    # name, N, C_in, (D, H, W), C_out, kernel, stride, padding, dilation, groups, bias
    ("conv3d_plain", 2, 2, (4, 5, 4), 3, 3, 1, 1, 1, 1, True),
    ("conv3d_rect_strided_dilated_groups", 1, 4, (6, 5, 5), 2, (2, 3, 2), (2, 1, 2), (1, 0, 1), (2, 1, 1), 2, False),
]
for name, n, cin, dhw, cout, k, s, p, d, g, bias in CONV3D:
    conv = nn.Conv3d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias)
    if bias:
        with torch.no_grad():
            conv.bias.copy_(torch.randn(cout))
    module_case(name, conv, {"x": leaf(n, cin, *dhw)},
                {"in_channels": cin, "out_channels": cout, "kernel_size": triple(k), "stride": triple(s),
                 "padding": triple(p), "dilation": triple(d), "groups": g, "has_bias": bias})

MAX_POOL3D = [
    # name, shape, kernel, stride, padding, dilation, ceil_mode
    ("max_pool3d_2", (2, 2, 4, 4, 6), 2, 2, 0, 1, False),
    ("max_pool3d_rect_padded_dilated_ceil", (1, 2, 5, 6, 7), (3, 2, 3), (2, 1, 2), (1, 1, 1), (1, 2, 1), True),
]
for name, shape, k, s, p, d, ceil in MAX_POOL3D:
    module_case(name, nn.MaxPool3d(k, s, p, d, ceil_mode=ceil), {"x": leaf(*shape)},
                {"kernel_size": triple(k), "stride": triple(s), "padding": triple(p), "dilation": triple(d),
                 "ceil_mode": ceil})

AVG_POOL3D = [
    # name, shape, kernel, stride, padding, ceil_mode, count_include_pad
    ("avg_pool3d_2", (2, 2, 4, 4, 6), 2, 2, 0, False, True),
    ("avg_pool3d_padded_ceil_exclude", (1, 2, 5, 5, 4), 3, 2, 1, True, False),
    ("avg_pool3d_rect_padded_include", (1, 1, 4, 6, 5), (2, 3, 3), (1, 2, 2), (1, 1, 0), False, True),
]
for name, shape, k, s, p, ceil, include in AVG_POOL3D:
    module_case(name, nn.AvgPool3d(k, s, p, ceil_mode=ceil, count_include_pad=include), {"x": leaf(*shape)},
                {"kernel_size": triple(k), "stride": triple(s), "padding": triple(p), "ceil_mode": ceil,
                 "count_include_pad": include})

with open(os.path.join(HERE, "layer_fixtures.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, separators=(",", ":"))
