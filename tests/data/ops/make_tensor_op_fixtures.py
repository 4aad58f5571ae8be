#!/usr/bin/python3
"""Writes tensor_op_fixtures.json: PyTorch's outputs and gradients for nabla's tensor ops
(tril/triu, cumsum/cumprod, prod, norm, sort/argsort/topk, one_hot, repeat/tile, flip, roll, einsum).

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/ops/make_tensor_op_fixtures.py
Everything is float64. A case holds named tensors: inputs, `out`, `upstream` and `grad_<input>` for
the gradient of sum(out * upstream), and integer results (indices) as `indices`. The arguments of
each call are written again in tests/ops/test_tensor_ops_vs_pytorch.cpp.
"""
import json
import math
import os

import torch

torch.manual_seed(1013)
torch.set_default_dtype(torch.float64)
cases = {}


def enc(t):
    t = t.detach()
    values = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        values = [v if math.isfinite(v) else ("inf" if v > 0 else "-inf") for v in values]
    return {"shape": list(t.shape), "dtype": "f64" if t.dtype.is_floating_point else "i64", "values": values}


def case(name, inputs, out, indices=None):
    """Stores inputs and out; for a floating out, back-propagates sum(out * upstream)."""
    entry = {k: enc(v) for k, v in inputs.items()}
    entry["out"] = enc(out)
    if indices is not None:
        entry["indices"] = enc(indices)
    if out.dtype.is_floating_point and out.requires_grad:
        upstream = torch.randn(out.shape)
        entry["upstream"] = enc(upstream)
        (out * upstream).sum().backward()
        for k, v in inputs.items():
            if v.grad is not None:
                entry["grad_" + k] = enc(v.grad)
    cases[name] = entry


def leaf(*shape):
    return torch.randn(*shape).requires_grad_()


def given(values):
    return torch.tensor(values, dtype=torch.float64).requires_grad_()


# ---- triangles --------------------------------------------------------------------------------
x = leaf(2, 3, 4)
case("tril", {"x": x}, torch.tril(x))
x = leaf(2, 3, 4)
case("tril_minus1", {"x": x}, torch.tril(x, -1))
x = leaf(3, 5)
case("triu_2", {"x": x}, torch.triu(x, 2))
x = leaf(4, 3)
case("triu_minus1", {"x": x}, torch.triu(x, -1))

# ---- scans and products: zeros where the gradient has its special cases -----------------------
x = leaf(3, 4)
case("cumsum_axis1", {"x": x}, torch.cumsum(x, 1))
x = leaf(3, 2, 4)
case("cumsum_axis0", {"x": x}, torch.cumsum(x, 0))
zeros_pattern = [[1.5, -0.5, 2.0, 0.7, 1.2],   # no zero
                 [0.8, 0.0, 1.5, -2.0, 0.5],   # one zero
                 [1.1, 0.0, 0.9, 0.0, 1.3],    # two zeros
                 [0.0, 1.4, -0.6, 0.9, 2.0]]   # a zero first
x = given(zeros_pattern)
case("cumprod_zeros_axis1", {"x": x}, torch.cumprod(x, 1))
x = given(zeros_pattern)
case("cumprod_zeros_axis0", {"x": x}, torch.cumprod(x, 0))
x = given(zeros_pattern)
case("prod_zeros_axis1", {"x": x}, torch.prod(x, 1))
x = given(zeros_pattern)
case("prod_zeros_axis0_keepdim", {"x": x}, torch.prod(x, 0, keepdim=True))
x = given([[0.9, -1.2, 0.0], [1.1, 0.8, 1.3]])
case("prod_all_one_zero", {"x": x}, torch.prod(x))
x = leaf(2, 3)
case("prod_all", {"x": x}, torch.prod(x))
x = torch.zeros(2, 0).requires_grad_()
case("prod_empty_axis", {"x": x}, torch.prod(x, 1))

# ---- norms --------------------------------------------------------------------------------------
LA = torch.linalg
x = leaf(3, 4)
case("norm_2", {"x": x}, LA.vector_norm(x))
x = given([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
case("norm_2_zero_row", {"x": x}, LA.vector_norm(x, 2, dim=1))
x = leaf(3, 4, 2)
case("norm_frobenius_keepdim", {"x": x}, LA.vector_norm(x, 2, dim=(0, 1), keepdim=True))
x = given([[0.0, -1.5, 2.0], [0.5, 0.0, -0.25]])
case("norm_1", {"x": x}, LA.vector_norm(x, 1, dim=1))
x = given([[1.0, -3.0, 3.0], [2.0, 0.0, -2.5]])
case("norm_inf_ties", {"x": x}, LA.vector_norm(x, math.inf, dim=1))
x = given([[0.0, 0.0], [1.0, -0.5]])
case("norm_inf_zero_row", {"x": x}, LA.vector_norm(x, math.inf, dim=1))
x = leaf(3, 4)
case("norm_minus_inf", {"x": x}, LA.vector_norm(x, -math.inf, dim=0))
x = leaf(2, 5)
case("norm_3", {"x": x}, LA.vector_norm(x, 3, dim=1))
x = given([[0.0, 0.0, 0.0], [0.5, 0.0, -1.5]])
case("norm_1_5_zeros", {"x": x}, LA.vector_norm(x, 1.5, dim=1))

# ---- sorting: ties in the input; the stable order is the one PyTorch documents ---------------------
ties = [[3.0, 1.0, 2.0, 1.0, 3.0, -1.0], [0.5, 0.5, -1.0, 2.0, 2.0, 0.5]]
x = given(ties)
values, indices = torch.sort(x, dim=1, stable=True)
case("sort_ties", {"x": x}, values, indices)
x = given(ties)
values, indices = torch.sort(x, dim=1, descending=True, stable=True)
case("sort_ties_descending", {"x": x}, values, indices)
x = leaf(4, 3)
values, indices = torch.sort(x, dim=0)
case("sort_axis0", {"x": x}, values, indices)
x = leaf(3, 4)
case("argsort_descending", {"x": x}, torch.argsort(x, dim=1, descending=True))
x = leaf(3, 6)
values, indices = torch.topk(x, 3, dim=1)
case("topk_largest", {"x": x}, values, indices)
x = leaf(5, 2)
values, indices = torch.topk(x, 2, dim=0, largest=False)
case("topk_smallest_axis0", {"x": x}, values, indices)

# ---- one_hot --------------------------------------------------------------------------------------
labels = torch.tensor([[2, 0], [1, 3]])
case("one_hot_inferred", {"labels": labels}, torch.nn.functional.one_hot(labels))
labels = torch.tensor([1, 0, 2])
case("one_hot_5", {"labels": labels}, torch.nn.functional.one_hot(labels, 5))

# ---- repetition, flips and rolls ------------------------------------------------------------------
x = leaf(2, 3)
case("repeat", {"x": x}, x.repeat(2, 1, 3))
x = leaf(2, 3)
case("tile_short", {"x": x}, torch.tile(x, (2,)))
x = leaf(3)
case("tile_long", {"x": x}, torch.tile(x, (2, 1, 2)))
x = leaf(2, 3, 4)
case("flip", {"x": x}, torch.flip(x, (0, 2)))
x = leaf(3, 5)
case("roll_axis", {"x": x}, torch.roll(x, 2, 1))
x = leaf(3, 4)
case("roll_flattened", {"x": x}, torch.roll(x, -5))
x = leaf(3, 4)
case("roll_axes", {"x": x}, torch.roll(x, (1, -1), (0, 1)))

# ---- einsum -----------------------------------------------------------------------------------------
def einsum_case(name, equation, *shapes):
    operands = [leaf(*s) for s in shapes]
    case(name, {"x%d" % i: t for i, t in enumerate(operands)}, torch.einsum(equation, *operands))


einsum_case("einsum_matmul", "ij,jk->ik", (2, 3), (3, 4))
einsum_case("einsum_batched_matmul", "bij,bjk->bik", (2, 2, 3), (2, 3, 4))
einsum_case("einsum_trace", "ii->", (3, 3))
einsum_case("einsum_diagonal", "ii->i", (3, 3))
einsum_case("einsum_outer", "i,j->ij", (3,), (4,))
einsum_case("einsum_sum", "ijk->j", (2, 3, 2))
einsum_case("einsum_implicit_transpose", "ba", (2, 3))
einsum_case("einsum_ellipsis_broadcast", "...ij,...jk->...ik", (2, 1, 2, 3), (3, 3, 2))
einsum_case("einsum_bilinear", "bi,ij,bj->b", (2, 3), (3, 4), (2, 4))
einsum_case("einsum_attention_scores", "bhqd,bhkd->bhqk", (2, 2, 3, 4), (2, 2, 5, 4))
einsum_case("einsum_size_one_broadcast", "ij,ij->i", (2, 3), (1, 3))
einsum_case("einsum_repeated_and_summed", "iij,jk->k", (3, 3, 2), (2, 4))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tensor_op_fixtures.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print("wrote", path, len(cases), "cases")
