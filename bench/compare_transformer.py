#!/usr/bin/python3
"""Training speed of the character-level Transformer language model, nabla against PyTorch, back
to back on the same machine, threads, batch and model (bench/transformer_bench.cpp and
bench/torch_transformer.py: 4 pre-norm encoder layers, d_model 128, 4 heads, feed-forward 512,
causal mask, context 128, vocabulary 100, batch 32, Adam).

Prints a markdown table: median tokens per second over all timed steps of all runs, the ratio to
nabla, the distance to the FLOP floor (the step's multiply-adds over the machine's measured sgemm
rate at 1024x1024, the best case for BLAS) and peak RSS.

Usage: bench/compare_transformer.py [--threads 2] [--steps 10] [--warmup 2] [--runs 3]
                                    [--batch 32] [--build build/release]
"""
import argparse
import os
import statistics
import sys

from bench_common import run_with_rss, sgemm_rate

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, D_MODEL, HEADS, FF, LAYERS, CONTEXT = 100, 128, 4, 512, 4, 128


def flops_per_token():
    """Multiply-adds per token, times 2 (FLOP per MAC) times 3 (forward, input and weight gradients).

    Per layer: the q, k, v and output projections (4 d^2), the feed-forward network (2 d ff), and
    attention's two products over the full context (2 L d; both frameworks compute the masked half
    too). Then the output layer (d vocab)."""
    layer = 4 * D_MODEL * D_MODEL + 2 * D_MODEL * FF + 2 * CONTEXT * D_MODEL
    return 2 * 3 * (LAYERS * layer + D_MODEL * VOCAB)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--build", default="build/release")
    args = p.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    common = ["--threads", str(args.threads), "--steps", str(args.steps), "--warmup", str(args.warmup),
              "--batch", str(args.batch)]
    commands = {
        "nabla": [os.path.join(args.build, "bench", "transformer_bench")] + common,
        "pytorch": [sys.executable, os.path.join(HERE, "torch_transformer.py")] + common,
    }
    steps = {name: [] for name in commands}
    rss = {name: 0.0 for name in commands}
    loss = {name: None for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():  # alternating, so a change in load hits both
            summary, peak = run_with_rss(cmd, env)
            steps[name].extend(summary["step_seconds"])
            rss[name] = max(rss[name], peak)
            loss[name] = (summary["first_loss"], summary["last_loss"])

    tokens = args.batch * CONTEXT
    rate = sgemm_rate(args.build, env)
    floor = flops_per_token() * tokens / (rate * 1e9)  # seconds per step
    nabla_rate = tokens / statistics.median(steps["nabla"])
    print(f"transformer LM: {LAYERS} layers, d_model {D_MODEL}, {HEADS} heads, ff {FF}, context {CONTEXT}, "
          f"vocab {VOCAB}, batch {args.batch}; threads {args.threads}, {args.runs} runs x {args.steps} steps; "
          f"sgemm {rate:.0f} GFLOP/s, {flops_per_token() * tokens / 1e9:.1f} GFLOP per step, "
          f"FLOP floor {floor:.3f} s/step")
    print("| framework | tokens/s (median) | vs nabla | s/step | x FLOP floor | loss first -> last | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for name, seconds in steps.items():
        step = statistics.median(seconds)
        print(f"| {name} | {tokens / step:.0f} | {tokens / step / nabla_rate:.2f} | {step:.3f} | {step / floor:.2f} | "
              f"{loss[name][0]:.3f} -> {loss[name][1]:.3f} | {rss[name]:.0f} |")


if __name__ == "__main__":
    main()
