#!/usr/bin/python3
"""Runs ops_bench (nabla) and torch_ops.py (PyTorch) back to back on the same thread count and
prints a markdown table: time per call for each, the ratio (PyTorch time / nabla time: above 1
means nabla is faster), and nabla's rate.

Usage: bench/compare_ops.py [--threads N] [--build build/release]
"""
import argparse
import json
import os
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--build", default="build/release")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, NABLA_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))

    nabla_run = subprocess.run(
        [os.path.join(args.build, "bench", "ops_bench"), "--benchmark_format=json",
         "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true",
         "--benchmark_min_time=0.1"],
        env=env, check=True, capture_output=True, text=True)
    nabla = {}
    for b in json.loads(nabla_run.stdout)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"].replace("/real_time", "")
        rate = {k: v for k, v in b.items() if k in ("GFLOP/s", "GB/s")}
        nabla[name] = (b["real_time"] * 1e-6, rate)  # microseconds -> seconds

    torch_run = subprocess.run([sys.executable, os.path.join(here, "torch_ops.py"), str(args.threads)],
                               env=env, check=True, capture_output=True, text=True)
    torch = json.loads(torch_run.stdout)

    print(f"threads: {args.threads}")
    print("| op | nabla | PyTorch | PyTorch / nabla | nabla rate |")
    print("|---|---:|---:|---:|---:|")
    for name, (seconds, rate) in nabla.items():
        t = torch.get(name)
        rate_text = ", ".join(f"{v:.1f} {k}" for k, v in rate.items())
        print(f"| {name} | {seconds * 1e6:.1f} us | {t * 1e6:.1f} us | {t / seconds:.2f} | {rate_text} |")


if __name__ == "__main__":
    main()
