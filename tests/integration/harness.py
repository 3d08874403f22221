"""Integration test harness: runs the real ipcscope (real BPF programs) on
real processes and checks what it reports against the kernel's own views:
/proc/PID/fd and kcmp(KCMP_FILE). No mocks.

Tests are functions decorated with @test; run.py runs them and prints the
closing line "integration: N passed, M failed, K skipped".
"""
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IPCSCOPE = os.path.join(ROOT, os.environ.get("IPCSCOPE", "build/ipcscope"))
PROGS = os.path.join(ROOT, "build/tests/progs")
DEMOS = os.path.join(ROOT, "build/demos")

TESTS = []

# How many times the cases that once raced run in a row (test_agree):
# 10 by default; the second pass over the suite (the portable data path)
# and the qemu guests, four to five times slower, ask for fewer.
RUNS = int(os.environ.get("IPCSCOPE_RUNS", "10"))


def test(fn=None, *, quick=False, core=False):
    """Registers a test; quick ones also run under the sanitizer build, core
    ones (processes, fd tables, pipes: what needs no optional kernel
    feature) once more with each optional feature refused."""
    def register(f):
        f.quick = quick
        f.core = core
        TESTS.append(f)
        return f
    return register(fn) if fn else register


class Skip(Exception):
    pass


def prog(name):
    return os.path.join(PROGS, name)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def trace(argv, options=(), timeout=60, expect_rc=0):
    """Runs `ipcscope --json [options] -- argv`; returns (events, summary)."""
    cmd = [IPCSCOPE, "--json", *options, "--", *argv]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, cwd=ROOT)
    lines = p.stdout.decode("utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    check(events and events[-1].get("type") == "summary",
          f"no summary line; stderr: {p.stderr.decode()!r}")
    if expect_rc is not None:
        eq(p.returncode, expect_rc,
           f"exit status of {' '.join(cmd)} (stderr {p.stderr.decode()!r})")
    return events[:-1], events[-1]


def run_ipcscope(args, timeout=30):
    return subprocess.run([IPCSCOPE, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, cwd=ROOT)


def snapshot(pids):
    args = ["--snapshot", "--json"]
    for pid in pids:
        args += ["-p", str(pid)]
    p = run_ipcscope(args)
    eq(p.returncode, 0, f"snapshot exit status (stderr {p.stderr.decode()!r})")
    return json.loads(p.stdout)


def of(events, type_=None, pid=None, **fields):
    """The events of a type (and pid, and field values), in order."""
    out = []
    for e in events:
        if type_ and e["type"] != type_:
            continue
        if pid is not None and e["pid"] != pid:
            continue
        if any(e.get(k) != v for k, v in fields.items()):
            continue
        out.append(e)
    return out


def one(events, type_=None, **fields):
    found = of(events, type_, **fields)
    eq(len(found), 1, f"number of {type_} events with {fields}")
    return found[0]


class Holder:
    """A tests/progs/holder process: sets up fds, prints its pids, holds
    them until we close its stdin. Ended by pid, always."""

    def __init__(self, *args, lines=1):
        self.p = subprocess.Popen([prog("holder"), *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, cwd=ROOT)
        self.pids = []
        self.extra = []
        deadline = time.time() + 10
        while len(self.extra) + (1 if self.pids else 0) < lines:
            if time.time() > deadline:
                self.close()
                raise AssertionError("holder did not get ready")
            line = self.p.stdout.readline().decode().split()
            if not line:
                self.close()
                raise AssertionError("holder exited early")
            if line[0] == "ready":
                self.pids = [int(x) for x in line[1:]]
            else:
                self.extra.append(line)

    def close(self):
        if self.p.poll() is None:
            self.p.stdin.close()
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                for pid in self.pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.p.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_libc = ctypes.CDLL(None, use_errno=True)
SYS_kcmp = 312  # x86_64
KCMP_FILE = 0


def kcmp_same_file(pid1, fd1, pid2, fd2):
    r = _libc.syscall(SYS_kcmp, pid1, pid2, KCMP_FILE, fd1, fd2)
    if r < 0:
        raise OSError(ctypes.get_errno(), "kcmp")
    return r == 0


def proc_fds(pid):
    d = f"/proc/{pid}/fd"
    return {int(fd): os.readlink(f"{d}/{fd}") for fd in os.listdir(d)}


def tempdir():
    return tempfile.mkdtemp(prefix="ipcscope-test-")


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


def bpf_available():
    """None when ipcscope can load its programs here, else why not."""
    if os.geteuid() != 0:
        return "not root"
    if not os.access(IPCSCOPE, os.X_OK):
        return f"{IPCSCOPE} is not built"
    p = run_ipcscope(["--json", "--", "true"])
    if p.returncode != 0:
        return p.stderr.decode().strip() or f"exit status {p.returncode}"
    return None


def refused(feature):
    """Whether IPCSCOPE_REFUSE names this optional kernel feature."""
    return feature in os.environ.get("IPCSCOPE_REFUSE", "").split(",")


def main(argv):
    quick = "--quick" in argv
    core = "--core" in argv
    names = [a for a in argv if not a.startswith("--")]
    why = bpf_available()
    passed = failed = skipped = 0
    selected = [t for t in TESTS if (not quick or t.quick) and
                (not core or t.core) and (not names or t.__name__ in names)]
    if why:
        # a tracer that cannot load is a failure, for CI and a user alike;
        # skipping is for whoever asks for it
        if os.environ.get("IPCSCOPE_SKIP_BPF") == "1":
            print(f"SKIP integration tests (IPCSCOPE_SKIP_BPF=1): {why}")
            print(f"integration: 0 passed, 0 failed, {len(selected)} skipped")
            return 0
        print(f"FAIL integration tests need root and BPF: {why}")
        print(f"integration: 0 passed, {len(selected)} failed")
        return 1
    for t in selected:
        start = time.time()
        try:
            t()
        except Skip as e:
            skipped += 1
            print(f"skip {t.__name__}: {e}")
            continue
        except Exception as e:  # a test's failure, whatever it raised
            failed += 1
            print(f"FAIL {t.__name__}: {type(e).__name__}: {e}")
            continue
        passed += 1
        print(f"ok {t.__name__} ({time.time() - start:.1f}s)")
    sys.stdout.flush()
    print(f"integration: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0
