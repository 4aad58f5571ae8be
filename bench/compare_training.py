#!/usr/bin/python3
"""Training speed, nabla against PyTorch, back to back on the same machine and threads: the main
job's MLP 784-100-100-10 or the course's SimpleConvNet (conv 30 5x5, ReLU, 2x2 max pool, Linear
100, ReLU, Linear 10), Adam 1e-3, batch 100, all 60,000 Fashion-MNIST training images per epoch
(no validation hold-out, so both do the same work), then the 10,000 test images.

Prints a markdown table: median seconds per epoch over the runs' epochs, ratios, test accuracy,
peak RSS, and the distance to the FLOP floor (the epoch's multiply-adds over the machine's
measured sgemm rate at 1024x1024, the best case for BLAS).

Usage: bench/compare_training.py [--model mlp|simplecnn] [--threads 2] [--epochs 5] [--runs 3]
                                 [--build build/release]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

from bench_common import sgemm_rate

HERE = os.path.dirname(os.path.abspath(__file__))
# Multiply-adds per sample of each layer with weights, first layer first.
LAYER_MACS = {
    "mlp": [784 * 100, 100 * 100, 100 * 10],
    "simplecnn": [30 * 24 * 24 * 5 * 5, 4320 * 100, 100 * 10],
}
SAMPLES, BATCH = 60000, 100


def flops_per_epoch(model):
    macs = LAYER_MACS[model]
    # forward, weight gradients, and input gradients of every layer but the first
    per_sample = 2 * sum(macs) + 2 * sum(macs) + 2 * sum(macs[1:])
    return per_sample * SAMPLES



def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=sorted(LAYER_MACS), default="mlp")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--build", default="build/release")
    args = p.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), NABLA_THREADS=str(args.threads))

    results = {"nabla": [], "pytorch (DataLoader)": [], "pytorch (tensor slicing)": []}
    rss = {k: 0.0 for k in results}
    accuracy = {k: [] for k in results}
    for run in range(args.runs):
        commands = {
            "nabla": [os.path.join(args.build, "nabla"), "train", "--model", args.model, "--epochs", str(args.epochs), "--batch-size",
                      str(BATCH), "--threads", str(args.threads), "--val-fraction", "0", "--no-progress",
                      "--seed", str(run), "--out", f"/tmp/nabla-bench-{args.model}-{run}", "--force"],
            "pytorch (DataLoader)": [sys.executable, os.path.join(HERE, "torch_train.py"), "--model", args.model, "--threads",
                                     str(args.threads), "--epochs", str(args.epochs), "--loader", "dataloader"],
            "pytorch (tensor slicing)": [sys.executable, os.path.join(HERE, "torch_train.py"), "--model", args.model, "--threads",
                                         str(args.threads), "--epochs", str(args.epochs), "--loader", "tensor"],
        }
        for name, cmd in commands.items():
            # Each framework in its own process, one after the other; RSS from the child's rusage.
            out = subprocess.run(["/usr/bin/python3", "-c",
                                  "import resource,subprocess,sys,json;"
                                  "r=subprocess.run(sys.argv[1:],capture_output=True,text=True,check=True);"
                                  "print(r.stdout.strip().splitlines()[-1]);"
                                  "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024)"] + cmd,
                                 env=env, check=True, capture_output=True, text=True).stdout.splitlines()
            summary = json.loads(out[0])
            results[name].extend(summary["epoch_seconds"])
            accuracy[name].append(summary["test_accuracy"])
            rss[name] = max(rss[name], float(out[1]))

    rate = sgemm_rate(args.build, env)
    floor = flops_per_epoch(args.model) / (rate * 1e9)
    nabla_epoch = statistics.median(results["nabla"])
    print(f"{args.model}: threads {args.threads}, {args.runs} runs x {args.epochs} epochs, sgemm {rate:.0f} GFLOP/s, "
          f"{flops_per_epoch(args.model) / 1e9:.1f} GFLOP per epoch, FLOP floor {floor:.3f} s/epoch")
    print("| framework | s/epoch (median) | vs nabla | x FLOP floor | test accuracy (mean) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, epochs in results.items():
        t = statistics.median(epochs)
        print(f"| {name} | {t:.3f} | {t / nabla_epoch:.2f} | {t / floor:.2f} | "
              f"{statistics.mean(accuracy[name]):.4f} | {rss[name]:.0f} |")


if __name__ == "__main__":
    main()
