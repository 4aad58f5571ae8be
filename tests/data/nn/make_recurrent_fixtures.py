#!/usr/bin/python3
"""Writes PyTorch's numbers for nabla's recurrent layers (nn.RNN, nn.LSTM, nn.GRU and cells).

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/nn/make_recurrent_fixtures.py
It writes recurrent_fixtures.json beside itself, read by tests/nn/test_recurrent_vs_pytorch.cpp:

  {"torch_version": ..., "cases": {name: case}}. A case names the module (`module`: "RNN",
  "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell") and its arguments (input_size, hidden_size,
  num_layers, bias, batch_first, bidirectional, nonlinearity), and holds tensors
  ({"shape", "dtype": "f64", "values"}): the input `x`, the initial state `h0` / `c0` when one is
  given, every parameter under `params` with its PyTorch name, the results `out` (the output
  sequence; for a cell the next h), `h_n`, `c_n`, the weights `upstream_*` of the scalar loss
  sum(out * upstream_out) + sum(h_n * upstream_h) + sum(c_n * upstream_c), and that loss's
  gradients `grad_x`, `grad_h0`, `grad_c0` and `grad_params` (by parameter name).

Everything is float64, so the C++ test compares at 1e-10 in f64 and at 1e-5 after casting to f32.
The script is deterministic: running it again writes the same file.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20241130)
torch.set_default_dtype(torch.float64)


def enc(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": "f64", "values": t.reshape(-1).tolist()}


def layer_case(module, x, h0=None, c0=None, **args):
    """Runs a sequence layer from (h0, c0), back-propagates a weighted sum of all its results."""
    for t in (x, h0, c0):
        if t is not None:
            t.requires_grad_()
    if isinstance(module, nn.LSTM):
        state = None if h0 is None else (h0, c0)
        out, (h_n, c_n) = module(x, state)
    else:
        out, h_n = module(x, h0)
        c_n = None
    return finish(module, x, h0, c0, out, h_n, c_n, args)


def cell_case(module, x, h0, c0=None, **args):
    for t in (x, h0, c0):
        if t is not None:
            t.requires_grad_()
    if isinstance(module, nn.LSTMCell):
        h, c = module(x, (h0, c0))
    else:
        h, c = module(x, h0), None
    return finish(module, x, h0, c0, h, None, c, args)


def finish(module, x, h0, c0, out, h_n, c_n, args):
    case = {"module": type(module).__name__, **args, "x": enc(x),
            "params": {name: enc(p) for name, p in module.named_parameters()}}
    loss = 0
    for name, value in (("out", out), ("h", h_n), ("c", c_n)):
        if value is None:
            continue
        upstream = torch.randn(value.shape)
        loss = loss + (value * upstream).sum()
        case["out" if name == "out" else name + "_n"] = enc(value)
        case["upstream_" + name] = enc(upstream)
    loss.backward()
    case["grad_x"] = enc(x.grad)
    for name, t in (("h0", h0), ("c0", c0)):
        if t is not None:
            case[name] = enc(t)
            case["grad_" + name] = enc(t.grad)
    case["grad_params"] = {name: enc(p.grad) for name, p in module.named_parameters()}
    return case


def sizes(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, bidirectional=False):
    return dict(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, bias=bias,
                batch_first=batch_first, bidirectional=bidirectional)


cases = {}
T, N, I, H = 5, 3, 4, 3

a = sizes(I, H)
cases["rnn_tanh"] = layer_case(nn.RNN(**a), torch.randn(T, N, I), nonlinearity="tanh", **a)

a = sizes(I, H, num_layers=2, batch_first=True)
cases["rnn_relu_two_layers_batch_first_h0"] = layer_case(
    nn.RNN(nonlinearity="relu", **a), torch.randn(N, T, I), torch.randn(2, N, H),
    nonlinearity="relu", **a)

a = sizes(I, H)
cases["lstm_h0_c0"] = layer_case(nn.LSTM(**a), torch.randn(T, N, I), torch.randn(1, N, H),
                                 torch.randn(1, N, H), **a)

a = sizes(I, H, num_layers=2, bidirectional=True)
cases["lstm_two_layers_bidirectional"] = layer_case(nn.LSTM(**a), torch.randn(T, N, I), **a)

a = sizes(I, H, num_layers=2, bidirectional=True, batch_first=True)
cases["lstm_two_layers_bidirectional_batch_first_h0_c0"] = layer_case(
    nn.LSTM(**a), torch.randn(N, T, I), torch.randn(4, N, H), torch.randn(4, N, H), **a)

a = sizes(I, H, bias=False)
cases["lstm_no_bias"] = layer_case(nn.LSTM(**a), torch.randn(T, N, I), **a)

a = sizes(I, H)
cases["gru_h0"] = layer_case(nn.GRU(**a), torch.randn(T, N, I), torch.randn(1, N, H), **a)

a = sizes(I, H, num_layers=3, bidirectional=True, batch_first=True)
cases["gru_three_layers_bidirectional_batch_first"] = layer_case(nn.GRU(**a), torch.randn(N, T, I), **a)

cell = dict(input_size=I, hidden_size=H, bias=True)
cases["rnn_cell_relu"] = cell_case(nn.RNNCell(nonlinearity="relu", **cell), torch.randn(N, I),
                                   torch.randn(N, H), nonlinearity="relu", **cell)
cases["lstm_cell"] = cell_case(nn.LSTMCell(**cell), torch.randn(N, I), torch.randn(N, H),
                               torch.randn(N, H), **cell)
cases["gru_cell"] = cell_case(nn.GRUCell(**cell), torch.randn(N, I), torch.randn(N, H), **cell)

with open(os.path.join(HERE, "recurrent_fixtures.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
