#!/usr/bin/env python3
"""make bench: what tracing costs, as ratios traced / untraced.

Each benchmark (bench/ipcbench.c) runs untraced, under `ipcscope --json`
(every event, written to /dev/null), under `ipcscope --top` (data summed
in the kernel) and under `strace -f` (the reference),
in alternating order within one session; a ratio is the median over the
repetitions of (traced ns/op) / (untraced ns/op of the same repetition).
Also reported: events/s ipcscope delivered and events it lost.
QUICK=1 runs one repetition with fewer operations.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "build/bench/ipcbench")
IPCSCOPE = os.path.join(ROOT, "build/ipcscope")
QUICK = os.environ.get("QUICK") == "1"
REPS = 1 if QUICK else 5

# name, ops untraced, ops under strace (it is 40-250x slower)
BENCHES = [
    ("pingpong1cpu", 100000, 5000),
    ("pingpong", 100000, 5000),
    ("stream", 20000, 2000),
    ("wstorm", 1000000, 20000),
    ("msgpp", 50000, 2500),
    ("sockpp", 50000, 2500),
    ("spawn", 300, 100),
    ("filewrite", 1000000, 20000),
]


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       cwd=ROOT, timeout=600)
    out, err = p.stdout.decode(), p.stderr.decode()
    m = re.search(r"ns_per_op=([0-9.]+)", out)
    if p.returncode != 0 or not m:
        sys.exit(f"bench: {' '.join(argv)} failed ({p.returncode}): {err.strip()}")
    stats = re.search(r"ipcscope: (\d+) events \((\d+)/s\), (\d+) lost", err)
    return float(m.group(1)), stats


def main():
    if os.geteuid() != 0:
        sys.exit("bench: tracing needs root; try: sudo make bench")
    try:
        with open("/proc/sys/kernel/bpf_stats_enabled") as f:
            if f.read().strip() != "0":
                print("bench: warning: kernel.bpf_stats_enabled is on; it adds two "
                      "clock reads to every BPF program run and inflates the ratios "
                      "(sysctl -w kernel.bpf_stats_enabled=0)", file=sys.stderr)
    except OSError:
        pass
    configs = [("json", [IPCSCOPE, "--json", "-o", "/dev/null", "--"]),
               ("top", [IPCSCOPE, "--top", "--json", "-o", "/dev/null", "--"])]
    if shutil.which("strace"):
        configs.append(("strace", ["strace", "-f", "-qq", "-o", "/dev/null", "--"]))
    scale = 4 if QUICK else 1
    rows = []
    start = time.time()
    for name, ops, strace_ops in BENCHES:
        ops = max(ops // scale, 10)
        strace_ops = max(strace_ops // scale, 10)
        ratios = {c: [] for c, _ in configs}
        evps, lost, top_lost = [], 0, 0
        for _ in range(REPS):
            for cname, prefix in configs:
                n = strace_ops if cname == "strace" else ops
                base, _ = run([BENCH, name, str(n)])
                traced, stats = run(prefix + [BENCH, name, str(n)])
                ratios[cname].append(traced / base)
                if stats and cname == "json":
                    evps.append(int(stats.group(2)))
                    lost += int(stats.group(3))
                elif stats:
                    top_lost += int(stats.group(3))
        rows.append((name, {c: statistics.median(v) for c, v in ratios.items()},
                     statistics.median(evps) if evps else 0, lost, top_lost))
        print(f"  {name}: done", file=sys.stderr, flush=True)
    cols = [c for c, _ in configs]
    print(f"\nipcscope bench, {time.strftime('%Y-%m-%d')}, {os.uname().release}, "
          f"{os.cpu_count()} CPUs, {REPS} repetition(s), median ratios traced/untraced")
    print(f"| bench | {' | '.join(cols)} | json events/s | json lost | top lost |")
    print(f"|---|{'---|' * len(cols)}---|---|---|")
    for name, r, ev, lost, top_lost in rows:
        cells = " | ".join(f"{r[c]:.2f}x" for c in cols)
        print(f"| {name} | {cells} | {ev:,.0f} | {lost} | {top_lost} |")
    print(f"\n({time.time() - start:.0f} s)")
    render_bench()


def render_bench():
    """The live view's cost per frame on a large model (bench/render.c)."""
    path = os.path.join(ROOT, "build/bench/render")
    if not os.access(path, os.X_OK):
        print("\nrender: build/bench/render is not built (make bench)")
        return
    p = subprocess.run([path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       cwd=ROOT, timeout=600)
    print()
    for line in p.stdout.decode().splitlines():
        print(line)


if __name__ == "__main__":
    main()
