#!/usr/bin/python3
"""The LSTM language model (include/nabla/nn/language_model.h) built from torch.nn, for
tests/nn/test_language_model_vs_pytorch.cpp.

    /usr/bin/python3 tests/data/models/make_language_model_fixture.py     # Debian's python3-torch (1.13)

Writes, next to this script:
  language_model_fixture.safetensors     the state_dict (embedding.weight, lstm.*, decoder.weight
                                         tied to the embedding, decoder.bias), as PyTorch lists it
  language_model_fixture_io.safetensors  two consecutive windows of tokens [N, T]; the logits of
                                         each in eval mode, the second starting from the first's
                                         final state; the second window's mean next-token loss and
                                         the gradient of every parameter (the state detached, as in
                                         truncated BPTT)
"""
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "io"))
import make_safetensors_fixture as safetensors  # noqa: E402  (the repo's hand-written writer)

VOCAB, SIZE, LAYERS = 7, 4, 2


class LanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, SIZE)
        self.lstm = nn.LSTM(SIZE, SIZE, num_layers=LAYERS, batch_first=True, dropout=0.5)
        self.decoder = nn.Linear(SIZE, VOCAB)
        self.decoder.weight = self.embedding.weight  # tied (Press & Wolf 2017)

    def forward(self, tokens, state=None):
        out, state = self.lstm(self.embedding(tokens), state)
        return self.decoder(out), state


def main():
    torch.manual_seed(0)
    model = LanguageModel()
    model.eval()
    first = torch.tensor([[1, 2, 3, 4], [6, 5, 0, 2]])
    second = torch.tensor([[5, 6, 1], [3, 3, 4]])
    targets = torch.tensor([[6, 1, 2], [3, 4, 1]])
    with torch.no_grad():
        logits1, state = model(first)
    state = tuple(s.detach() for s in state)
    logits2, _ = model(second, state)
    loss = nn.functional.cross_entropy(logits2.reshape(-1, VOCAB), targets.reshape(-1))
    loss.backward()

    state_dict = {k: v.detach().clone() for k, v in model.state_dict().items()}
    safetensors.save(os.path.join(HERE, "language_model_fixture.safetensors"), state_dict, {})
    io = {"first": first, "second": second, "targets": targets, "logits1": logits1,
          "logits2": logits2.detach(), "loss": loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        io["grad." + name] = p.grad.clone()
    safetensors.save(os.path.join(HERE, "language_model_fixture_io.safetensors"), io, {})
    print("state_dict:", list(state_dict), "grads:", [k for k in io if k.startswith("grad.")])


if __name__ == "__main__":
    main()
