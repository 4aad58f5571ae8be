#!/usr/bin/python3
"""The operations of ops_bench.cpp in PyTorch, timed the same way (median of repeats).

Prints JSON: {"name": seconds_per_call, ...}. Usage: torch_ops.py THREADS
"""
import json
import statistics
import sys
import time

import torch


def timed(fn, min_seconds=0.3, repeats=5):
    fn()  # warm up
    calls = 1
    while True:  # calls per repeat so that one repeat takes at least min_seconds / repeats
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= min_seconds / repeats:
            break
        calls *= 2
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    results = {}
    for n in (64, 128, 256, 512, 1024):
        a, b = torch.randn(n, n), torch.randn(n, n)
        results[f"BM_matmul/{n}"] = timed(lambda: torch.matmul(a, b))
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    row = torch.randn(1024)
    results["BM_add"] = timed(lambda: a + b)
    results["BM_mul"] = timed(lambda: a * b)
    results["BM_add_row_broadcast"] = timed(lambda: a + row)
    results["BM_exp"] = timed(lambda: torch.exp(a))
    results["BM_relu"] = timed(lambda: torch.relu(a))
    results["BM_sigmoid"] = timed(lambda: torch.sigmoid(a))
    results["BM_sum"] = timed(lambda: a.sum())
    results["BM_sum_axis0"] = timed(lambda: a.sum(0))
    results["BM_transpose_copy"] = timed(lambda: a.t().contiguous())
    print(json.dumps(results))


if __name__ == "__main__":
    main()
