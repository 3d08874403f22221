"""ipcscope tells what the kernel did, in the cases where it once did not
(issue 13): close_range over fds far apart and before an exec, closes at
exec after close-on-exec changed with ioctl or from a posix_spawn child,
calls that make an fd without open, regular files' offsets, names as /proc
gives them, sockets' bound addresses and listening state. The truth is the
kernel's: /proc/PID/fd as the program itself lists it, getsockname, lseek.
Each case runs RUNS times in a row: a race shows as a run that differs."""
import json
import os
import subprocess
import time

from harness import (IPCSCOPE, ROOT, RUNS, check, eq, of, one, proc_fds, prog,
                     rmtree, snapshot, tempdir, test, trace)


def lines(out, word):
    """The words after `word` on each line of the program's output that
    starts with it."""
    return [line.split()[1:] for line in out.splitlines() if line.split()[:1] == [word]]


def trace_out(argv, hold_until=None):
    """Runs `ipcscope --json -o FILE -- argv`; returns (events, summary,
    the program's stdout). With hold_until, the program holds until its
    stdin closes, which happens once the stream has a line containing
    hold_until (object names are read from /proc while it runs)."""
    d = tempdir()
    try:
        path = os.path.join(d, "trace.json")
        p = subprocess.Popen([IPCSCOPE, "--json", "-o", path, "--", *argv],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=ROOT)
        try:
            if hold_until:
                wait_for_line(path, hold_until, p)
            stdout, stderr = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        eq(p.returncode, 0, f"ipcscope exit status (stderr {stderr.decode()!r})")
        with open(path) as f:
            recs = [json.loads(line) for line in f]
    finally:
        rmtree(d)
    summary = recs[-1]
    eq(summary["type"], "summary", "the last line is the summary")
    eq(summary["lost"], 0, "nothing lost")
    eq(summary.get("exit_status"), 0, "the program's exit status")
    events = [e for e in recs if "ts" in e and e["type"] not in ("demo", "lost", "resync")]
    eq(summary["events"], len(events), "summary: events counts the event lines")
    return events, summary, stdout.decode()


def wait_for_line(path, text, p, timeout=60):
    """Waits until the file at path has a line containing text (the
    stream is flushed every tick), or p ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None:
        if os.path.exists(path):
            with open(path) as f:
                if any(text in line for line in f):
                    return
        time.sleep(0.05)
    raise AssertionError(f"no line with {text!r} in the stream")


def closes(events, pid, implicit):
    return [(e["fd"], e["refs"]) for e in of(events, "close", pid=pid)
            if e.get("implicit") == implicit]


@test
def close_range_reaches_every_fd_with_counts_per_entry():
    # not a core test: close_range is an optional feature (close-range)
    # read end: fds 3 and 1000; write end: 4, 300 and 5000, in parent and
    # child alike: 4 and 6 references before the child's close_range
    for run in range(RUNS):
        events, _, out = trace_out([prog("close_range_high")])
        (child, *_), = lines(out, "child")
        child = int(child)
        held = [int(x) for x in lines(out, "child")[0][2:]]
        eq(held, [3, 4, 300, 1000, 5000], "the child's fds, from /proc/self/fd")
        eq(closes(events, child, "close_range"),
           [(3, 3), (4, 5), (300, 4), (1000, 2), (5000, 3)],
           f"run {run}: close_range(3, ~0U): each fd the child held, each "
           "count one less than the one before on its entry")
        parent = of(events, "exec")[0]["pid"]
        eq([int(x) for x in lines(out, "parent")[0][1:]], held,
           "the parent's fds before CLOSE_RANGE_CLOEXEC")
        eq([(e["fd"], e["cloexec"]) for e in of(events, "fcntl", pid=parent)],
           [(fd, True) for fd in held], f"run {run}: CLOSE_RANGE_CLOEXEC on each")
        eq(lines(out, "after"), [["fds"]], "nothing survives the exec")
        eq(closes(events, parent, "exec"),
           [(3, 1), (4, 2), (300, 1), (1000, 0), (5000, 0)],
           f"run {run}: the exec closes every one of them")


@test(core=True)
def exec_closes_what_the_kernel_closed():
    for mode, closed in (("fork", [4]), ("spawn", [3, 4])):
        for run in range(RUNS):
            events, _, out = trace_out([prog("exec_cloexec"), mode])
            child = int(lines(out, "child")[0][0])
            kept = [int(x) for x in lines(out, "after")[0][1:]]
            eq(kept, sorted({3, 4} - set(closed)), f"{mode}: /proc/self/fd after exec")
            # the parent still holds each entry: one reference left
            eq(closes(events, child, "exec"), [(fd, 1) for fd in closed],
               f"{mode} run {run}: the exec's closes")


@test(core=True)
def fd_making_calls_are_opens_named_as_proc_names_them():
    for run in range(RUNS):
        d = tempdir()
        try:
            events, _, out = trace_out([prog("fd_makers"), d],
                                       hold_until='"pos":13')
        finally:
            rmtree(d)
        pid = of(events, "exec")[0]["pid"]
        truth = {int(fd): " ".join(link) for fd, *link in lines(out, "fd")}
        eq(len(truth), 8, "the program made 8 fds")
        got = {e["fd"]: e["object"] for e in of(events, "open", pid=pid)
               if e["fd"] in truth}
        eq(got, truth, f"run {run}: an open for each fd, its object as /proc names it")
        fd = max(truth)
        pos = {op: int(n) for op, n in lines(out, "pos")}
        moved = [(e["type"], e["pos"]) for e in of(events, pid=pid, fd=fd)
                 if e["type"] in ("write", "read")]
        eq(moved, [("write", pos["write"]), ("read", pos["read"])],
           f"run {run}: reads and writes carry the offset after them")
        seeks = [e["pos"] for e in of(events, "lseek", pid=pid, fd=fd)]
        eq(seeks, [pos["write"], pos["lseek"], pos["lseek"], pos["read"],
                   pos["pwrite"], pos["end"], pos["end"]],
           f"run {run}: every lseek tells the offset; pwrite left it")


@test
def sockets_tell_bound_addresses_and_listening():
    d = tempdir()
    out = os.path.join(d, "trace.json")
    upath = os.path.join(d, "listener")
    p = subprocess.Popen([IPCSCOPE, "--json", "-o", out, "--", prog("sock_holder"), upath],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    try:
        word, pid, port, tl, ul, c = p.stdout.readline().decode().split()
        eq(word, "ready", "sock_holder got ready")
        pid, port = int(pid), int(port)
        tl, ul, c = (f"socket:[{x}]" for x in (tl, ul, c))
        eq(sorted(o for o in proc_fds(pid).values() if o.startswith("socket:")),
           sorted([tl, ul, c, proc_fds(pid)[6]]), "/proc: four sockets")
        snap = snapshot([pid])
        objects = {o["name"]: o for o in snap["objects"]}
        eq((objects[tl].get("address"), objects[tl].get("listening")),
           (f"127.0.0.1:{port}", True), "snapshot: the TCP listener, its real port")
        eq((objects[ul].get("address"), objects[ul].get("listening")),
           (upath, True), "snapshot: the unix listener and its path")
        check(not objects[c].get("listening"), "snapshot: the client is no listener")
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    try:
        with open(out) as f:
            events = [json.loads(line) for line in f]
    finally:
        rmtree(d)
    eq(events[-1].get("exit_status"), 0, "sock_holder exit status")
    eq([(e["fd"], e["address"]) for e in of(events, "bind", pid=pid)],
       [(3, f"127.0.0.1:{port}"), (4, upath)], "bind: the addresses the kernel bound")
    eq([(e["fd"], e.get("address")) for e in of(events, "listen", pid=pid)],
       [(3, f"127.0.0.1:{port}"), (4, upath)], "listen: the bound address, its real port")
    eq(one(events, "connect", pid=pid)["address"], f"127.0.0.1:{port}",
       "connect with addrlen 128: the address passed")


@test(quick=True)
def summary_events_are_the_lines():
    events, summary = trace([prog("pipe_fork")])
    eq(summary["events"], len(events), "events: the event lines written")
    check(summary["records"] > 0, "records: what the kernel sent")
