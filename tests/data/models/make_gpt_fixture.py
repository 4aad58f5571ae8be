#!/usr/bin/python3
"""Writes PyTorch's numbers for nabla's GPT (include/nabla/nn/gpt.h) and BERT-style masked LM
(include/nabla/nn/bert.h), each built from torch.nn's own layers.

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/models/make_gpt_fixture.py
It writes four files beside itself, read by tests/nn/test_gpt_vs_pytorch.cpp:

gpt_fixture.safetensors, bert_fixture.safetensors
  The state_dict of each model, exactly as torch.nn.Module.state_dict() names and orders it
  (tied weights appear twice, under both names, as PyTorch writes them), float32.
gpt_fixture_io.safetensors, bert_fixture_io.safetensors
  `tokens` (i64 [2, T]) and the model's `logits` (f32 [2, T, V]) in eval mode. The BERT tokens
  end in [PAD] (id 0) in the second row; its logits at those positions are left out of the
  comparison (`valid`, i64 [2, T], is 1 where a position is compared) because PyTorch's fast
  path for padded inputs does not define them.

Every parameter is perturbed away from its initial value (LayerNorm weights are not all ones,
biases not all zeros), so a parameter that nabla ignored or misplaced would show. The script is
deterministic: running it again writes the same files.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "io"))
import make_safetensors_fixture as safetensors  # noqa: E402  (the repo's hand-written writer)


def block(d_model, heads, feedforward, norm_first):
    return nn.TransformerEncoderLayer(d_model, heads, feedforward, dropout=0.1, activation="gelu",
                                      batch_first=True, norm_first=norm_first)


class GPT(nn.Module):
    """The same modules, in the same order, as nabla::nn::GPT."""

    def __init__(self, vocab, context, layers, d_model, heads, feedforward):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, d_model)
        self.position_embedding = nn.Embedding(context, d_model)
        self.embedding_dropout = nn.Dropout(0.1)
        self.transformer = nn.TransformerEncoder(block(d_model, heads, feedforward, True), layers,
                                                 norm=nn.LayerNorm(d_model))
        self.head = nn.Linear(d_model, vocab)
        self.head.weight = self.token_embedding.weight

    def forward(self, tokens):
        t = tokens.shape[1]
        h = self.embedding_dropout(self.token_embedding(tokens) + self.position_embedding(torch.arange(t)))
        h = self.transformer(h, mask=nn.Transformer.generate_square_subsequent_mask(t))
        return self.head(h)


class BertForMaskedLM(nn.Module):
    """The same modules, in the same order, as nabla::nn::BertForMaskedLM."""

    def __init__(self, vocab, context, layers, d_model, heads, feedforward, pad_id):
        super().__init__()
        self.pad_id = pad_id
        self.token_embedding = nn.Embedding(vocab, d_model)
        self.position_embedding = nn.Embedding(context, d_model)
        self.embedding_norm = nn.LayerNorm(d_model, eps=1e-12)
        self.embedding_dropout = nn.Dropout(0.1)
        self.encoder = nn.TransformerEncoder(block(d_model, heads, feedforward, False), layers)
        self.head_transform = nn.Linear(d_model, d_model)
        self.head_norm = nn.LayerNorm(d_model, eps=1e-12)
        self.head = nn.Linear(d_model, vocab)
        self.head.weight = self.token_embedding.weight

    def forward(self, tokens):
        t = tokens.shape[1]
        h = self.token_embedding(tokens) + self.position_embedding(torch.arange(t))
        h = self.embedding_dropout(self.embedding_norm(h))
        h = self.encoder(h, src_key_padding_mask=tokens == self.pad_id)
        return self.head(self.head_norm(F.gelu(self.head_transform(h))))


def perturb(model):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))


def write(name, model, tokens, valid=None):
    model.eval()
    with torch.no_grad():
        logits = model(tokens)
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    safetensors.save(os.path.join(HERE, name + ".safetensors"), state, {"format": "pt"})
    io = {"tokens": tokens, "logits": logits.float()}
    if valid is not None:
        io["valid"] = valid.long()
    safetensors.save(os.path.join(HERE, name + "_io.safetensors"), io, {"torch_version": torch.__version__})


def main():
    torch.manual_seed(20261130)
    gpt = GPT(vocab=11, context=16, layers=2, d_model=16, heads=2, feedforward=32)
    perturb(gpt)
    write("gpt_fixture", gpt, torch.randint(0, 11, (2, 12)))

    bert = BertForMaskedLM(vocab=13, context=12, layers=2, d_model=16, heads=4, feedforward=24, pad_id=0)
    perturb(bert)
    tokens = torch.randint(1, 13, (2, 10))
    tokens[1, 7:] = 0  # padding at the end of the second sentence
    write("bert_fixture", bert, tokens, valid=tokens != 0)


if __name__ == "__main__":
    main()
