#!/usr/bin/python3
"""PyTorch's side of bench/compare_seq2seq.py: the model of `nabla seq2seq --variant attention`
(Embedding 16 + LSTM encoder, Embedding + LSTM decoder from the encoder's (h, c), dot-product
attention over the encoder states with padding masked, Linear over [context, h]), trained with
teacher forcing, cross entropy over the non-padding targets, Adam and gradient clipping at 5, on
`--examples` questions of the dates task's shapes (29 source and 11 target positions, 61 ids) in
batches of --batch-size. The ids are random (training speed does not depend on their values), the
lengths are spread as the real questions' are. Prints one JSON line with the epoch's seconds.
"""
import argparse
import json
import time

import torch
import torch.nn as nn

VOCAB, SOURCE, TARGET, PAD = 61, 29, 11, 0


class AttentionSeq2seq(nn.Module):
    def __init__(self, vocab, embedding, hidden):
        super().__init__()
        self.encoder_embedding = nn.Embedding(vocab, embedding)
        self.encoder = nn.LSTM(embedding, hidden, batch_first=True)
        self.decoder_embedding = nn.Embedding(vocab, embedding)
        self.decoder = nn.LSTM(embedding, hidden, batch_first=True)
        self.output = nn.Linear(2 * hidden, vocab)

    def forward(self, source, decoder_input):
        states, last = self.encoder(self.encoder_embedding(source))
        h, _ = self.decoder(self.decoder_embedding(decoder_input), last)
        scores = torch.bmm(h, states.transpose(1, 2))
        scores = scores.masked_fill((source == PAD).unsqueeze(1), float("-inf"))
        context = torch.bmm(torch.softmax(scores, dim=-1), states)
        return self.output(torch.cat([context, h], dim=2))


def random_questions(n, generator):
    """Ids shaped like the dates task: sources of 10-29 characters, answers of 10 and the end id."""
    source = torch.randint(3, VOCAB, (n, SOURCE), generator=generator)
    lengths = torch.randint(10, SOURCE + 1, (n, 1), generator=generator)
    source[torch.arange(SOURCE).unsqueeze(0) >= lengths] = PAD
    answer = torch.randint(3, VOCAB, (n, TARGET - 1), generator=generator)
    decoder_input = torch.cat([torch.ones(n, 1, dtype=torch.long), answer], dim=1)
    decoder_target = torch.cat([answer, torch.full((n, 1), 2, dtype=torch.long)], dim=1)
    return source, decoder_input, decoder_target


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--examples", type=int, default=6400)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--embedding", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    generator = torch.Generator().manual_seed(a.seed)
    source, decoder_input, decoder_target = random_questions(a.examples, generator)
    model = AttentionSeq2seq(VOCAB, a.embedding, a.hidden)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
    started = time.perf_counter()
    order = torch.randperm(a.examples, generator=generator)
    for begin in range(0, a.examples, a.batch_size):
        rows = order[begin:begin + a.batch_size]
        logits = model(source[rows], decoder_input[rows])
        loss = loss_fn(logits.reshape(-1, VOCAB), decoder_target[rows].reshape(-1))
        adam.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        adam.step()
    seconds = time.perf_counter() - started
    print(json.dumps({"framework": "pytorch", "examples": a.examples, "seconds_per_epoch": seconds,
                      "train_loss": loss.item(), "threads": a.threads}))


if __name__ == "__main__":
    main()
