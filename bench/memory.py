#!/usr/bin/env python3
"""The tracer's memory against fd tables: runs tests/progs/high_fd (one fd
at FD, N children alive at once) under ipcscope and prints ipcscope's
VmRSS and VmHWM (from /proc/PID/status), under --json and in the live view
(in a private tmux server), not paused and paused. Root. Usage:
    bench/memory.py [--fd FD] [--children N ...] [--json-only]
IPCSCOPE=path selects the binary (default build/ipcscope). Only processes
it started are ended, by pid."""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPCSCOPE = os.path.join(ROOT, os.environ.get("IPCSCOPE", "build/ipcscope"))
HIGH_FD = os.path.join(ROOT, "build/tests/progs/high_fd")


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def wait_for(cond, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def all_children_up(holder, n):
    return len(children_of(holder)) >= n


def settle(pid, seconds=1.0):
    """Lets the tracer apply what is queued; returns (rss, hwm) in KiB."""
    time.sleep(seconds)
    return status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")


def measure_json(fd, n):
    out = tempfile.NamedTemporaryFile(prefix="ipcscope-mem-", delete=False)
    out.close()
    tracer = subprocess.Popen([IPCSCOPE, "--json", "-o", out.name, "--",
                               HIGH_FD, str(fd), str(n)],
                              stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        holder = wait_for(lambda: children_of(tracer.pid) or None, 30,
                          "high_fd to start")[0]
        wait_for(lambda: all_children_up(holder, n), 60, "the children")
        rss, hwm = settle(tracer.pid)
        os.kill(holder, signal.SIGUSR1)
        tracer.wait(timeout=60)
        return rss, hwm
    finally:
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()
        os.unlink(out.name)


def tmux(sock, *args):
    return subprocess.run(["tmux", "-L", sock, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode()


def measure_live(fd, n):
    """Returns ((rss, hwm) live, (rss, hwm) paused)."""
    sock = f"ipcscope-mem-{os.getpid()}"
    pidfile = tempfile.NamedTemporaryFile(prefix="ipcscope-mem-", delete=False)
    pidfile.close()
    cmd = f"echo $$ > {pidfile.name}; exec {IPCSCOPE} -- {HIGH_FD} {fd} {n}"
    tmux(sock, "new-session", "-d", "-x", "200", "-y", "60", "sh", "-c", cmd)
    tracer = None
    try:
        def tracer_pid():
            with open(pidfile.name) as f:
                s = f.read().strip()
            return int(s) if s else None
        tracer = wait_for(tracer_pid, 30, "ipcscope to start")
        holder = wait_for(lambda: children_of(tracer) or None, 30,
                          "high_fd to start")[0]
        wait_for(lambda: all_children_up(holder, n), 60, "the children")
        live = settle(tracer, 2.0)
        tmux(sock, "send-keys", "-t", "0", " ")
        wait_for(lambda: "PAUSED" in tmux(sock, "capture-pane", "-p"), 10,
                 "the paused view")
        paused = settle(tracer, 1.0)
        os.kill(holder, signal.SIGUSR1)
        return live, paused
    finally:
        if tracer:
            try:
                os.kill(tracer, signal.SIGTERM)
            except ProcessLookupError:
                pass
        tmux(sock, "kill-server")
        os.unlink(pidfile.name)


def mb(kb):
    return f"{kb / 1024:.1f} MB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fd", type=int, default=19999)
    ap.add_argument("--children", type=int, nargs="+", default=[0, 200, 300])
    ap.add_argument("--json-only", action="store_true")
    a = ap.parse_args()
    print(f"fd {a.fd}; ipcscope VmRSS (VmHWM)")
    for n in a.children:
        rss, hwm = measure_json(a.fd, n)
        print(f"{n:4d} children  --json        {mb(rss):>9} ({mb(hwm)})",
              flush=True)
        if a.json_only:
            continue
        (rss, hwm), (prss, phwm) = measure_live(a.fd, n)
        print(f"{n:4d} children  live          {mb(rss):>9} ({mb(hwm)})")
        print(f"{n:4d} children  live, paused  {mb(prss):>9} ({mb(phwm)})",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
