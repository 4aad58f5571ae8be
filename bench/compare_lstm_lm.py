#!/usr/bin/python3
"""LSTM language-model training speed, nabla against PyTorch, back to back on the same machine and
thread count: Zaremba et al.'s "medium" model (vocab 10000, embedding 650, two LSTM layers of 650,
dropout 0.5, batch 20, 35-step truncated BPTT, SGD with gradient clipping), one training step per
35x20-token window. nabla runs build/release/bench/lstm_lm_bench, PyTorch bench/torch_lstm_lm.py;
each run times --steps steps after --warmup untimed ones, and the runs alternate.

Prints a markdown table: tokens per second (median over all timed steps of all runs), the ratio to
PyTorch, the distance to the FLOP floor (the step's multiply-adds over the machine's measured
sgemm rate at 1024x1024, the best case for BLAS), first and last loss, and peak RSS.

With --lstm-only, both time just the two LSTM layers' forward and backward over a random
[35, 20, 650] window (no embedding, decoder, loss or optimizer; the FLOP floor counts only theirs).

Usage: bench/compare_lstm_lm.py [--threads 2] [--steps 20] [--warmup 3] [--runs 3]
                                [--build build/release] [--lstm-only]
"""
import argparse
import os
import statistics
import sys

from bench_common import run_with_rss, sgemm_rate

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, HIDDEN, LAYERS, BATCH, BPTT = 10000, 650, 2, 20, 35


def flops_per_step(lstm_only=False):
    tokens = BATCH * BPTT
    # Per token and layer: the input and the recurrent projection (4 gates); then the decoder.
    forward = 2 * tokens * (LAYERS * (HIDDEN * 4 * HIDDEN + HIDDEN * 4 * HIDDEN) + (0 if lstm_only else HIDDEN * VOCAB))
    # The backward computes weight gradients and input gradients: twice the forward's products.
    return 3 * forward


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--build", default="build/release")
    p.add_argument("--lstm-only", action="store_true")
    args = p.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), NABLA_THREADS=str(args.threads))
    common = ["--threads", str(args.threads), "--steps", str(args.steps), "--warmup", str(args.warmup),
              "--lstm-only", "1" if args.lstm_only else "0"]
    commands = {
        "nabla": [os.path.join(args.build, "bench", "lstm_lm_bench")] + common,
        "pytorch": ["/usr/bin/python3", os.path.join(HERE, "torch_lstm_lm.py")] + common,
    }
    steps = {name: [] for name in commands}
    rss = {name: 0.0 for name in commands}
    losses = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            summary, peak = run_with_rss(cmd, env)
            steps[name].extend(summary["step_seconds"])
            rss[name] = max(rss[name], peak)
            losses[name].append((summary["first_loss"], summary["last_loss"]))

    rate = sgemm_rate(args.build, env)
    flops = flops_per_step(args.lstm_only)
    floor = flops / (rate * 1e9)
    tokens = BATCH * BPTT
    what = "LSTM layers only" if args.lstm_only else "LSTM LM"
    print(f"{what} (vocab {VOCAB}, {LAYERS}x{HIDDEN}, batch {BATCH}, bptt {BPTT}): threads {args.threads}, "
          f"{args.runs} runs x {args.steps} steps, sgemm {rate:.0f} GFLOP/s, "
          f"{flops / 1e9:.1f} GFLOP per step, FLOP floor {floor:.3f} s/step "
          f"({tokens / floor:.0f} tokens/s)")
    print("| framework | tokens/s (median) | s/step | vs PyTorch | x FLOP floor | loss first -> last (run 1) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    torch_step = statistics.median(steps["pytorch"])
    for name in commands:
        t = statistics.median(steps[name])
        first, last = losses[name][0]
        print(f"| {name} | {tokens / t:.0f} | {t:.3f} | {torch_step / t:.2f} | {t / floor:.2f} | "
              f"{first:.3f} -> {last:.3f} | {rss[name]:.0f} |")


if __name__ == "__main__":
    sys.exit(main())
