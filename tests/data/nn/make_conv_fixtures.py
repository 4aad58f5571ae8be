#!/usr/bin/python3
"""Writes PyTorch's numbers for nabla's convolution, pooling and image-normalisation layers.

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/nn/make_conv_fixtures.py
It writes two files beside itself, both read by tests/nn/test_conv_vs_pytorch.cpp:

conv_fixtures.json
  {"torch_version": ..., "cases": {name: case}}. A case holds named tensors
  ({"shape", "dtype": "f64"|"f32"|"i64", "values"}): the inputs and parameters under their
  PyTorch names (`x`, `weight`, `bias`), `out`, `upstream`, and `grad_<name>` for the gradient of
  sum(out * upstream) with respect to every input and parameter. A case's plain JSON values
  (numbers, lists, booleans) are the layer's arguments: `stride: [2, 1]` and so on, always as
  [h, w] pairs; `has_bias` says whether a convolution has a bias. Layer cases are float64, so the C++ test compares at 1e-10 in f64 and at 1e-5
  after casting to f32.

  The case `small_convnet` is the input batch `x` for the network below, `out` (float32: the
  network run in float32 in eval mode) and `out_f64` (the same weights run in float64).

small_convnet.safetensors
  The state_dict of a small trained conv net, exactly as torch.nn.Module.state_dict() names and
  shapes it (`0.weight`, `1.running_mean`, `1.num_batches_tracked` as a 0-d I64, ...), float32,
  written by hand in the safetensors format (tests/io/make_safetensors_fixture.py; the
  `safetensors` package is not in Debian). The file holds the state dict and nothing else, so the
  C++ test loads it whole with strict key checking, as a user loading PyTorch weights would; the
  input and the expected outputs live in the JSON above.

The script is deterministic: running it again writes the same files.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "io"))
import make_safetensors_fixture as safetensors  # noqa: E402  (the repo's hand-written writer)

torch.manual_seed(20240607)
torch.set_default_dtype(torch.float64)
cases = {}


def enc(t):
    t = t.detach()
    dtype = {torch.int64: "i64", torch.float32: "f32", torch.float64: "f64"}[t.dtype]
    return {"shape": list(t.shape), "dtype": dtype, "values": t.reshape(-1).tolist()}


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def record(name, x, out, params, args, extra=None):
    """Back-propagates sum(out * upstream); stores x, params, out, upstream, grads and args."""
    upstream = torch.randn(out.shape)
    (out * upstream).sum().backward()
    entry = {"x": enc(x), "out": enc(out), "upstream": enc(upstream), "grad_x": enc(x.grad)}
    for pname, p in params.items():
        entry[pname] = enc(p)
        entry["grad_" + pname] = enc(p.grad)
    assert not set(args) & set(entry), "an argument would hide a tensor of the same name"
    entry.update(args)
    for k, v in (extra or {}).items():
        entry[k] = enc(v) if torch.is_tensor(v) else v
    cases[name] = entry


def case(name, layer, x, args):
    record(name, x, layer(x), dict(layer.named_parameters()), args)


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_()


def randomise_bias(layer):
    """Default conv biases are tiny (1/sqrt(fan_in)); larger ones make a wrong bias visible."""
    if layer.bias is not None:
        with torch.no_grad():
            layer.bias.copy_(torch.randn(layer.bias.shape))
    return layer


# ---- conv2d: x [N, C_in, H, W], weight [C_out, C_in / groups, kH, kW] --------------------------
CONV2D = [
    # name, N, C_in, H, W, C_out, kernel, stride, padding, dilation, groups, bias
    ("conv2d_plain", 2, 3, 5, 5, 4, 3, 1, 0, 1, 1, True),
    ("conv2d_stride2_pad1", 2, 3, 6, 6, 4, 3, 2, 1, 1, 1, True),  # (6 + 2 - 3) / 2 rounds down
    ("conv2d_dilation2_nobias", 1, 2, 7, 7, 3, 3, 1, 2, 2, 1, False),
    ("conv2d_groups2", 2, 4, 5, 5, 6, 3, 1, 1, 1, 2, True),
    ("conv2d_depthwise", 1, 3, 5, 5, 6, 3, 1, 1, 1, 3, True),  # groups == C_in, 2 filters each
    ("conv2d_rect", 1, 3, 6, 7, 2, (2, 3), (2, 1), (1, 0), (1, 2), 1, True),
    ("conv2d_1x1", 2, 4, 3, 3, 5, 1, 1, 0, 1, 1, True),
]
for name, n, cin, h, w, cout, k, s, p, d, g, bias in CONV2D:
    layer = randomise_bias(nn.Conv2d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias))
    case(name, layer, leaf(n, cin, h, w),
         {"in_channels": cin, "out_channels": cout, "kernel_size": pair(k), "stride": pair(s),
          "padding": pair(p), "dilation": pair(d), "groups": g, "has_bias": bias})

# ---- conv_transpose2d: weight [C_in, C_out / groups, kH, kW] -----------------------------------
CONV_TRANSPOSE2D = [
    # name, N, C_in, H, W, C_out, kernel, stride, padding, output_padding, groups, bias, dilation
    ("conv_transpose2d_stride2_pad1_outpad1", 2, 3, 4, 4, 2, 3, 2, 1, 1, 1, True, 1),
    ("conv_transpose2d_groups2", 1, 4, 3, 3, 6, 3, 2, 0, 0, 2, True, 1),
    ("conv_transpose2d_dilation2_nobias", 1, 2, 4, 4, 3, 3, 1, 1, 0, 1, False, 2),
    ("conv_transpose2d_rect", 2, 2, 3, 4, 3, (2, 3), (2, 1), (0, 1), (1, 0), 1, True, (1, 2)),
]
for name, n, cin, h, w, cout, k, s, p, op, g, bias, d in CONV_TRANSPOSE2D:
    layer = randomise_bias(nn.ConvTranspose2d(cin, cout, k, stride=s, padding=p, output_padding=op,
                                              groups=g, bias=bias, dilation=d))
    case(name, layer, leaf(n, cin, h, w),
         {"in_channels": cin, "out_channels": cout, "kernel_size": pair(k), "stride": pair(s),
          "padding": pair(p), "output_padding": pair(op), "groups": g, "has_bias": bias,
          "dilation": pair(d)})

# ---- pooling -------------------------------------------------------------------------------------
MAX_POOL2D = [
    # name, shape, kernel, stride, padding, ceil_mode
    ("max_pool2d_2x2", (2, 3, 6, 6), 2, 2, 0, False),
    ("max_pool2d_k3_s2_p1", (1, 2, 7, 7), 3, 2, 1, False),
    ("max_pool2d_ceil", (1, 2, 7, 7), 2, 2, 0, True),  # the last window hangs over the edge
    # ceil gives 4 windows, but the last would start in the right padding: PyTorch drops it (3)
    ("max_pool2d_ceil_pad_drops_last", (1, 2, 5, 5), 2, 2, 1, True),
    ("max_pool2d_rect", (1, 2, 5, 7), (2, 3), (1, 2), (1, 0), False),
]
for name, shape, k, s, p, ceil in MAX_POOL2D:
    case(name, nn.MaxPool2d(k, s, p, ceil_mode=ceil), leaf(*shape),
         {"kernel_size": pair(k), "stride": pair(s), "padding": pair(p), "ceil_mode": ceil})

AVG_POOL2D = [
    # name, shape, kernel, stride, padding, ceil_mode, count_include_pad
    ("avg_pool2d_2x2", (2, 3, 4, 6), 2, 2, 0, False, True),
    ("avg_pool2d_pad_include", (1, 2, 6, 6), 3, 2, 1, False, True),
    ("avg_pool2d_pad_exclude", (1, 2, 6, 6), 3, 2, 1, False, False),
    # a window over the bottom/right edge divides by the part inside input + padding only
    ("avg_pool2d_ceil", (1, 2, 5, 5), 2, 2, 0, True, True),
    ("avg_pool2d_ceil_pad_include", (1, 2, 6, 6), 3, 2, 1, True, True),
    ("avg_pool2d_ceil_pad_exclude", (1, 2, 6, 6), 3, 2, 1, True, False),
    ("avg_pool2d_rect", (1, 2, 5, 7), (3, 2), (2, 1), (1, 0), False, True),
]
for name, shape, k, s, p, ceil, include in AVG_POOL2D:
    case(name, nn.AvgPool2d(k, s, p, ceil_mode=ceil, count_include_pad=include), leaf(*shape),
         {"kernel_size": pair(k), "stride": pair(s), "padding": pair(p), "ceil_mode": ceil,
          "count_include_pad": include})

ADAPTIVE_AVG_POOL2D = [
    ("adaptive_avg_pool2d_global", (2, 3, 5, 5), 1),
    ("adaptive_avg_pool2d_7to3", (1, 2, 7, 7), 3),  # windows of 3 overlapping by one
    ("adaptive_avg_pool2d_rect", (1, 2, 5, 7), (3, 4)),
    ("adaptive_avg_pool2d_upsample", (1, 2, 3, 2), (4, 5)),  # more outputs than inputs
]
for name, shape, size in ADAPTIVE_AVG_POOL2D:
    case(name, nn.AdaptiveAvgPool2d(size), leaf(*shape), {"output_size": pair(size)})

# ---- BatchNorm2d ---------------------------------------------------------------------------------
# One training step on x (output, gradients, running statistics and num_batches_tracked after it),
# then evaluation on x_eval with those running statistics.
for name, eps, momentum in (("batch_norm2d", 1e-5, 0.1), ("batch_norm2d_momentum", 1e-3, 0.3)):
    bn = nn.BatchNorm2d(4, eps=eps, momentum=momentum)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(4) + 0.5)
        bn.bias.copy_(torch.randn(4))
    x = (torch.randn(3, 4, 3, 3) * 2 + 1).requires_grad_()
    x_eval = torch.randn(2, 4, 3, 3) * 2 + 1
    out = bn(x)
    bn.eval()
    eval_out = bn(x_eval)
    record(name, x, out, {"weight": bn.weight, "bias": bn.bias}, {"eps": eps, "momentum": momentum},
           extra={"x_eval": x_eval, "eval_out": eval_out, "running_mean": bn.running_mean,
                  "running_var": bn.running_var, "num_batches_tracked": bn.num_batches_tracked})

# ---- local response normalisation ----------------------------------------------------------------
LRN = [
    # name, shape, size, alpha, beta, k
    ("local_response_norm_3", (2, 5, 3, 3), 3, 0.5, 0.75, 1.0),
    ("local_response_norm_5", (1, 7, 3, 2), 5, 0.3, 0.6, 2.0),
    ("local_response_norm_4_even", (1, 6, 2, 3), 4, 0.4, 0.75, 1.0),  # 2 channels before, 1 after
    ("local_response_norm_defaults", (1, 4, 2, 2), 3, 1e-4, 0.75, 1.0),
]
for name, shape, size, alpha, beta, k in LRN:
    case(name, nn.LocalResponseNorm(size, alpha, beta, k), leaf(*shape, scale=2.0),
         {"size": size, "alpha": alpha, "beta": beta, "k": k})


# ---- a small conv net, trained a few steps, exported through safetensors ----------------------------
def small_convnet():
    # The C++ test builds the same nn::Sequential; keep the two in step.
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),                      # 0: [N, 4, 12, 12]
        nn.BatchNorm2d(4),                                  # 1
        nn.ReLU(),                                          # 2
        nn.MaxPool2d(2),                                    # 3: [N, 4, 6, 6]
        nn.Dropout2d(0.25),                                 # 4: identity in eval mode
        nn.Conv2d(4, 8, 3, stride=2, padding=1, groups=2),  # 5: [N, 8, 3, 3]
        nn.BatchNorm2d(8),                                  # 6
        nn.ReLU(),                                          # 7
        nn.AdaptiveAvgPool2d(2),                            # 8: [N, 8, 2, 2], overlapping windows
        nn.Flatten(),                                       # 9: [N, 32]
        nn.Linear(32, 10),                                  # 10
    )


torch.set_default_dtype(torch.float32)
net = small_convnet()
optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
for _ in range(20):  # so the BatchNorm statistics and the weights are far from their initial values
    images = torch.randn(16, 1, 12, 12) * 1.5 + 0.3
    labels = torch.randint(0, 10, (16,))
    optimizer.zero_grad()
    F.cross_entropy(net(images), labels).backward()
    optimizer.step()
net.eval()
x = torch.randn(4, 1, 12, 12) * 1.5 + 0.3
with torch.no_grad():
    out = net(x)
    out_f64 = small_convnet().double()
    out_f64.load_state_dict(net.state_dict())
    out_f64 = out_f64.eval()(x.double())
cases["small_convnet"] = {"x": enc(x), "out": enc(out), "out_f64": enc(out_f64)}

state = {k: v.detach().clone() for k, v in net.state_dict().items()}
weights_path = os.path.join(HERE, "small_convnet.safetensors")
safetensors.save(weights_path, state, {"format": "pt", "written_by": "make_conv_fixtures.py"})
reread, _ = safetensors.load(weights_path)  # the file must hold exactly the state dict
assert list(reread) == list(state) and all(torch.equal(reread[k], state[k]) for k in state)

with open(os.path.join(HERE, "conv_fixtures.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, separators=(",", ":"))
