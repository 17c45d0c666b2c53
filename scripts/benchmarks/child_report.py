"""What the benchmarks' PyTorch children share with the Swift ones (Sources/BenchmarkSupport): the
median time of a step, the peak resident memory, and the one-line JSON report
{"median_seconds", "peak_rss_kb"}."""
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


def median_seconds(runs, body):
    """Median seconds of `runs` calls of body() after one warm-up call."""
    body()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_and_report(step, iterations, profile=False):
    """Times step() (median of `iterations` calls after a warm-up) and prints the report. With
    `profile`, one more step after the timed ones runs under torch.profiler and its operator table
    (self CPU time, largest first) goes to standard error before the report; the report's time is
    the timed steps' alone."""
    seconds = median_seconds(iterations, step)
    if profile:
        import sys
        import torch.profiler
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profiler:
            step()
        print(profiler.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), file=sys.stderr, flush=True)
    print(json.dumps({"median_seconds": seconds, "peak_rss_kb": peak_rss_kb()}), flush=True)
