#!/usr/bin/python3
"""The LSTM language model of bench/lstm_lm_bench.cpp in PyTorch: Zaremba et al.'s "medium"
model as PyTorch's own word_language_model example builds it (vocab 10000, embedding 650, two
nn.LSTM layers of 650, dropout 0.5 on embeddings, between layers and before the decoder, Linear
to the vocabulary, cross entropy, clip_grad_norm_ 0.25, plain SGD), batch 20, 35-step truncated
BPTT windows with the hidden state carried and detached, on random tokens.

--lstm-only 1 times just the two LSTM layers' forward and backward on a random window, as
the nabla binary's flag does. Prints one JSON line like the nabla binary's.

Usage: torch_lstm_lm.py [--threads 2] [--steps 20] [--warmup 3] [--vocab 10000] [--hidden 650]
                        [--batch 20] [--bptt 35]
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class LanguageModel(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.drop = nn.Dropout(0.5)
        self.encoder = nn.Embedding(vocab, hidden)
        self.rnn = nn.LSTM(hidden, hidden, num_layers=2, dropout=0.5)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, tokens, state):
        output, state = self.rnn(self.drop(self.encoder(tokens)), state)
        return self.decoder(self.drop(output)), state


def main():
    p = argparse.ArgumentParser()
    for name, default in (("threads", 2), ("steps", 20), ("warmup", 3), ("vocab", 10000),
                          ("hidden", 650), ("batch", 20), ("bptt", 35), ("lstm-only", 0)):
        p.add_argument("--" + name, type=int, default=default)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = LanguageModel(args.vocab, args.hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    loss_fn = nn.CrossEntropyLoss()
    windows = args.steps + args.warmup
    stream = torch.randint(0, args.vocab, (windows * args.bptt + 1, args.batch))

    seconds, losses, state = [], [], None
    model.train()
    for w in range(windows):
        start = time.perf_counter()
        inputs = stream[w * args.bptt:(w + 1) * args.bptt]
        targets = stream[w * args.bptt + 1:(w + 1) * args.bptt + 1]
        if state is not None:
            state = tuple(s.detach() for s in state)
        if args.lstm_only:
            x = torch.randn(args.bptt, args.batch, args.hidden, requires_grad=True)
            output, state = model.rnn(x, state)
            loss = output.mean()
            loss.backward()
        else:
            logits, state = model(inputs, state)
            loss = loss_fn(logits.reshape(-1, args.vocab), targets.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            optimizer.step()
        losses.append(loss.item())
        if w >= args.warmup:
            seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(json.dumps({"framework": "pytorch", "lstm_only": bool(args.lstm_only), "threads": args.threads,
                      "tokens_per_step": args.bptt * args.batch, "median_step_seconds": median,
                      "tokens_per_second": args.bptt * args.batch / median,
                      "first_loss": losses[0], "last_loss": losses[-1], "step_seconds": seconds}))


if __name__ == "__main__":
    main()
