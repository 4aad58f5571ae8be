#!/usr/bin/python3
"""The model of bench/transformer_bench.cpp in PyTorch: a character-level Transformer language
model (token embedding, learned positions, 4 pre-norm encoder layers d_model 128, 4 heads,
feed-forward 512, GELU, dropout 0.1, causal mask, final LayerNorm, Linear to the vocabulary), cross
entropy over every position, Adam 3e-4, batch 32, context 128, random tokens.

Prints one JSON line with the same fields as the C++ benchmark.

Usage: bench/torch_transformer.py [--threads 2] [--steps 10] [--warmup 2] [--vocab 100]
                                  [--d-model 128] [--heads 4] [--ff 512] [--layers 4]
                                  [--context 128] [--batch 32]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class CharTransformer(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.embedding = nn.Embedding(a.vocab, a.d_model)
        self.positions = nn.Parameter(torch.randn(a.context, a.d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(a.d_model, a.heads, a.ff, dropout=0.1, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, a.layers, norm=nn.LayerNorm(a.d_model),
                                             enable_nested_tensor=False)
        self.head = nn.Linear(a.d_model, a.vocab)
        self.register_buffer("mask", torch.triu(torch.full((a.context, a.context), float("-inf")), 1))

    def forward(self, tokens):
        length = tokens.shape[1]
        x = F.dropout(self.embedding(tokens) + self.positions[:length], 0.1, self.training)
        return self.head(self.encoder(x, mask=self.mask[:length, :length]))


def main():
    p = argparse.ArgumentParser()
    for name, default in [("threads", 2), ("steps", 10), ("warmup", 2), ("vocab", 100), ("d-model", 128),
                          ("heads", 4), ("ff", 512), ("layers", 4), ("context", 128), ("batch", 32)]:
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = CharTransformer(a)
    model.train()
    adam = torch.optim.Adam(model.parameters(), lr=3e-4)
    steps = a.steps + a.warmup
    stream = torch.randint(0, a.vocab, (steps, a.batch, a.context + 1))
    seconds, losses = [], []
    for s in range(steps):
        start = time.perf_counter()
        inputs, targets = stream[s, :, :-1], stream[s, :, 1:]
        loss = F.cross_entropy(model(inputs).reshape(-1, a.vocab), targets.reshape(-1))
        adam.zero_grad()
        loss.backward()
        adam.step()
        losses.append(loss.item())
        elapsed = time.perf_counter() - start
        if s >= a.warmup:
            seconds.append(elapsed)
    median = statistics.median(seconds)
    tokens = a.batch * a.context
    print(json.dumps({"framework": "pytorch", "threads": a.threads, "tokens_per_step": tokens,
                      "median_step_seconds": median, "tokens_per_second": tokens / median,
                      "first_loss": losses[0], "last_loss": losses[-1], "step_seconds": seconds}))


if __name__ == "__main__":
    main()
