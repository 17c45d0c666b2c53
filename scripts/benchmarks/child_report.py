"""The report of a benchmark child process, as the Swift benchmarks' children print it
(Sources/BenchmarkSupport/ChildReport.swift): one JSON line {"median_seconds", "peak_rss_kb"}."""
import json
import statistics
import time


def peak_rss_kb():
    """VmHWM of /proc/self/status: this process's peak resident memory in KiB (reset by exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status")


def measure_and_report(step, iterations):
    """Runs step() once to warm up, then `iterations` timed times, and prints the report."""
    step()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(json.dumps({"median_seconds": statistics.median(times), "peak_rss_kb": peak_rss_kb()}), flush=True)
