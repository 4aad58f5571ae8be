#!/usr/bin/python3
"""Seq2seq training speed, nabla against PyTorch, back to back on the same machine and thread
count: the attention model of the dates task (`nabla seq2seq --data dates --variant attention`,
embedding 16, LSTM hidden --hidden, batch 128, Adam, clipping) for one epoch of --examples
questions. nabla trains on the generated dates; PyTorch (bench/torch_seq2seq.py) on random ids of
the same shapes and lengths. Only the training loop is timed (nabla's per-epoch seconds exclude its
validation pass). The runs alternate; the table shows medians and the ratio.

Usage: bench/compare_seq2seq.py [--threads 2] [--examples 6400] [--hidden 128] [--runs 3]
                                [--build build/release]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--examples", type=int, default=6400)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--build", default=os.path.join(HERE, "..", "build", "release"))
    a = p.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), OPENBLAS_NUM_THREADS=str(a.threads))
    nabla, torch = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(a.runs):
            r = subprocess.run([os.path.join(a.build, "nabla"), "seq2seq", "--data", "dates", "--variant", "attention",
                                "--epochs", "1", "--hidden", str(a.hidden), "--train-size", str(a.examples),
                                "--val-size", "100", "--heatmaps", "0", "--threads", str(a.threads),
                                "--out", out, "--force"], env=env, check=True, capture_output=True, text=True)
            nabla.append(last_json(r.stdout)["seconds_per_epoch"])
            r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "torch_seq2seq.py"), "--examples",
                                str(a.examples), "--hidden", str(a.hidden), "--threads", str(a.threads)],
                               env=env, check=True, capture_output=True, text=True)
            torch.append(last_json(r.stdout)["seconds_per_epoch"])
    n, t = statistics.median(nabla), statistics.median(torch)
    print(f"| seq2seq attention, dates, hidden {a.hidden}, batch 128, {a.examples} questions, "
          f"{a.threads} threads | seconds / epoch (median of {a.runs}) | questions / s | vs PyTorch |")
    print("|---|---:|---:|---:|")
    print(f"| nabla | {n:.2f} | {a.examples / n:.0f} | {t / n:.2f}x |")
    print(f"| PyTorch {__import__('torch').__version__} | {t:.2f} | {a.examples / t:.0f} | 1.00x |")
    print("all runs (s):", json.dumps({"nabla": nabla, "pytorch": torch}), file=sys.stderr)


if __name__ == "__main__":
    main()
