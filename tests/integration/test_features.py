"""Optional kernel features: what -v, the summary and snapshots say of them,
what is left out when one is refused (IPCSCOPE_REFUSE), and syscalls of
32-bit processes, which are counted, never misread."""
import contextlib
import json
import os
import re
import subprocess

from harness import (ROOT, IPCSCOPE, Holder, Skip, check, eq, of, one, prog,
                     refused, run_ipcscope, snapshot, test)
from test_ipc import trace_to_file

# the table, in the order -v prints it (tracer/kernel_features.c)
FEATURES = ["fast-data", "maps", "signals", "sockets", "sysv", "posix-mq",
            "mmap", "close-range", "waits"]
PROGS32 = os.path.join(ROOT, "build/tests/progs32")


def kernel_release():
    return tuple(int(x) for x in re.findall(r"\d+", os.uname().release)[:2])


def verbose_features(stderr):
    """{name: (on, reason)} from -v's lines."""
    out = {}
    for line in stderr.splitlines():
        m = re.fullmatch(r"ipcscope: feature ([a-z0-9-]+): (on|off \((.*)\))", line)
        if m:
            check(m.group(1) not in out, f"feature {m.group(1)} said once")
            out[m.group(1)] = (m.group(2) == "on", m.group(3))
    return out


@test(quick=True, core=True)
def features_said_by_v_and_summary():
    p = run_ipcscope(["-v", "--json", "--", "true"])
    eq(p.returncode, 0, f"exit status (stderr {p.stderr.decode()[-300:]!r})")
    said = verbose_features(p.stderr.decode())
    eq(list(said), FEATURES, "-v: one line per feature, in table order")
    summary = json.loads(p.stdout.decode().splitlines()[-1])
    off = [name for name in FEATURES if not said[name][0]]
    eq(summary["features_off"], off, "the summary names the features -v says are off")
    for name in FEATURES:
        if refused(name):
            eq(said[name], (False, "refused by IPCSCOPE_REFUSE"), f"{name} refused")
    # the direct data path needs bpf_rdonly_cast (6.2+); the rest loads on
    # every kernel from 6.1 unless refused
    for name in FEATURES:
        want = not refused(name) and (name != "fast-data" or kernel_release() >= (6, 2))
        eq(said[name][0], want, f"feature {name} on ({said[name][1]})")


@test(quick=True)
def refuse_names_only_features():
    env = dict(os.environ, IPCSCOPE_REFUSE="maps,no-such-thing")
    p = subprocess.run([IPCSCOPE, "--json", "--", "true"], env=env, cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    eq(p.returncode, 2, "a name that is no feature is a usage error")
    err = p.stderr.decode().strip().splitlines()
    eq(len(err), 1, f"one line on stderr: {err}")
    check("no-such-thing" in err[0] and "close-range" in err[0],
          f"it names the bad name and the features: {err[0]}")


def traced(argv):
    events, summary, _ = trace_to_file(argv)
    return events, summary


@contextlib.contextmanager
def refusing(feature):
    """One more optional feature refused (IPCSCOPE_REFUSE) inside."""
    before = os.environ.get("IPCSCOPE_REFUSE")
    os.environ["IPCSCOPE_REFUSE"] = ",".join(filter(None, [before, feature]))
    try:
        yield
    finally:
        if before is None:
            del os.environ["IPCSCOPE_REFUSE"]
        else:
            os.environ["IPCSCOPE_REFUSE"] = before


# per feature: a program that uses it and the events only it gives
USES = {
    "signals": ([prog("pipe_fork")], "signal"),
    "sockets": ([prog("ipc_socketpair")], "socketpair"),
    "sysv": ([prog("ipc_msg")], "msgsnd"),
    "posix-mq": ([prog("ipc_mq")], "mq_open"),
    "mmap": ([prog("ipc_mmap"), "/dev/shm/ipcscope-test-features"], "mmap"),
    "close-range": ([prog("close_range")], "close"),
}


@test
def refused_feature_gives_no_events_and_keeps_the_rest():
    for feature, (argv, kind) in USES.items():
        if refused(feature):
            continue
        try:
            on, s_on = traced(argv)
            with refusing(feature):
                off, s_off = traced(argv)
        finally:
            if feature == "mmap":
                os.unlink(argv[1])
        check(feature not in s_on["features_off"], f"{feature} on at first")
        check(feature in s_off["features_off"], f"summary: {feature} off")
        if feature == "close-range":
            got_on = of(on, "close", implicit="close_range")
            got_off = of(off, "close", implicit="close_range")
            eq(sorted(e["fd"] for e in got_on), [3, 4, 5], "close_range: three closes")
        else:
            got_on, got_off = of(on, kind), of(off, kind)
            check(got_on, f"{kind} events with {feature} on")
        eq(got_off, [], f"no {kind} events with {feature} refused")
        # the processes and pipes are told the same either way
        kinds = ("fork", "exec", "exit", "pipe")
        eq([e["type"] for e in on if e["type"] in kinds],
           [e["type"] for e in off if e["type"] in kinds],
           f"{feature} refused: the same fork/exec/exit/pipe events")


@test
def snapshot_names_features_off():
    with Holder("pipe-fork") as h:
        with refusing("maps"):
            snap = snapshot(h.pids[:1])
            p = run_ipcscope(["--snapshot", "-p", str(h.pids[0])])
        check("maps" in snap["features_off"], f"features_off: {snap['features_off']}")
        text = p.stdout.decode()
        check("FEATURES OFF" in text and "maps" in text.split("FEATURES OFF")[1],
              "the text snapshot names the features off")
        procs = {q["pid"]: q for q in snap["processes"]}
        eq(sorted(procs), sorted(h.pids), "the processes are there all the same")


@test
def ia32_syscalls_are_counted_not_misread():
    """A 32-bit program's syscalls (ia32 numbers and registers) are not
    decoded as 64-bit ones: nothing but its exec and exit is reported, and
    the summary counts what was left out."""
    path = os.path.join(PROGS32, "ia32_pipe")
    check(os.access(path, os.X_OK), f"{path} is built (gcc-multilib)")
    try:
        direct = subprocess.run([path], stdout=subprocess.PIPE, timeout=30)
    except OSError as e:
        if os.environ.get("IPCSCOPE_REQUIRE_IA32") == "1":
            raise AssertionError(f"this kernel runs no 32-bit programs: {e}")
        raise Skip(f"this kernel runs no 32-bit programs ({e.strerror})")
    eq(direct.returncode, 0, "the 32-bit program works untraced")
    events, summary, out = trace_to_file([path])
    eq(out.split(), ["pipe", "3", "4", "read", "5"], "the 32-bit program ran")
    execd = one(events, "exec")
    after = [e["type"] for e in events
             if e.get("pid") == execd["pid"] and e["ts"] >= execd["ts"] and
             e["type"] != "signal"]
    eq(after, ["exec", "exit"], "of the 32-bit process: its exec and exit only")
    check(summary["ia32_syscalls"] > 0, f"ia32_syscalls counted: {summary}")
