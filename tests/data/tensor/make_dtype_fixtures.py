#!/usr/bin/python3
"""PyTorch's answers for nabla's storage dtypes: f32 -> f16 / bf16 rounding (as bit patterns),
the promotion table (torch.result_type), and the float classes and logical ops on edge values.
Run with Debian's python3-torch: /usr/bin/python3 tests/data/tensor/make_dtype_fixtures.py"""
import json
import math
import pathlib

import torch

torch.manual_seed(0)

# Values that probe every rounding path: ties to even, the largest finite values and the step past
# them, the subnormals and their ties, signed zeros, infinities and NaN; then random values over
# the whole range.
f16_tiny = 2.0 ** -24
edges = [0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 65504.0, 65519.99, 65520.0, 65536.0, 1e6, -1e6,
         2.0 ** -14, 2.0 ** -15, f16_tiny, f16_tiny / 2, f16_tiny * 1.5, f16_tiny * 2.5, f16_tiny * 0.51,
         1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, 3.0e38, 3.4028234e38,
         1e-38, 1e-45, math.inf, -math.inf]
values = torch.tensor(edges, dtype=torch.float32)
values = torch.cat([values, torch.randn(200) * 10.0 ** torch.randint(-8, 6, (200,)).float()])

def bits(t):
    return t.view(torch.int16).to(torch.int64).bitwise_and(0xFFFF).tolist()

def f32_bits(t):  # JSON has no inf or NaN: the f32 values travel as their bit patterns
    return t.view(torch.int32).to(torch.int64).bitwise_and(0xFFFFFFFF).tolist()

# torch.result_type over nabla's dtypes, as nabla's names.
names = {"f32": torch.float32, "f64": torch.float64, "i64": torch.int64, "bool": torch.bool,
         "f16": torch.float16, "bf16": torch.bfloat16}
back = {v: k for k, v in names.items()}
promotion = []
for a, ta in names.items():
    for b, tb in names.items():
        r = torch.result_type(torch.zeros(1, dtype=ta), torch.zeros(1, dtype=tb))
        promotion.append([a, b, back[r]])

classes_in = torch.tensor([0.0, -1.5, math.inf, -math.inf, math.nan, 3e38], dtype=torch.float32)
logical_a = torch.tensor([0.0, 1.0, -2.0, math.nan, 0.0, 5.0])
logical_b = torch.tensor([0.0, 0.0, 3.0, 0.0, math.nan, 1.0])

fixture = {
    "f32_bits": f32_bits(values),
    "f16_bits": bits(values.to(torch.float16)),
    "bf16_bits": bits(values.to(torch.bfloat16)),
    "promotion": promotion,
    "classes_input_bits": f32_bits(classes_in),
    "isnan": torch.isnan(classes_in).tolist(),
    "isinf": torch.isinf(classes_in).tolist(),
    "isfinite": torch.isfinite(classes_in).tolist(),
    "logical_a_bits": f32_bits(logical_a),
    "logical_b_bits": f32_bits(logical_b),
    "logical_and": torch.logical_and(logical_a, logical_b).tolist(),
    "logical_or": torch.logical_or(logical_a, logical_b).tolist(),
    "logical_xor": torch.logical_xor(logical_a, logical_b).tolist(),
    "logical_not": torch.logical_not(logical_a).tolist(),
}
out = pathlib.Path(__file__).with_name("dtype_fixtures.json")
out.write_text(json.dumps(fixture, allow_nan=False) + "\n")
print("wrote", out)
