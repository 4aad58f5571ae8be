"""What the compare_*.py scripts share: the machine's sgemm rate (for FLOP floors) and running a
benchmark in its own process to read its JSON summary and peak RSS."""
import json
import os
import subprocess


def sgemm_rate(build, env):
    """Median GFLOP/s of a 1024x1024x1024 sgemm (ops_bench's BM_matmul/1024), the best case for BLAS."""
    out = subprocess.run([os.path.join(build, "bench", "ops_bench"), "--benchmark_filter=BM_matmul/1024",
                          "--benchmark_format=json", "--benchmark_repetitions=3",
                          "--benchmark_report_aggregates_only=true"],
                         env=env, check=True, capture_output=True, text=True).stdout
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            return b["GFLOP/s"]
    raise RuntimeError("no sgemm rate")


def run_with_rss(cmd, env):
    """Runs cmd in its own process; returns its last stdout line as JSON and its peak RSS in MB."""
    out = subprocess.run(["/usr/bin/python3", "-c",
                          "import resource,subprocess,sys;"
                          "r=subprocess.run(sys.argv[1:],capture_output=True,text=True,check=True);"
                          "print(r.stdout.strip().splitlines()[-1]);"
                          "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024)"] + cmd,
                         env=env, check=True, capture_output=True, text=True).stdout.splitlines()
    return json.loads(out[0]), float(out[1])
