#!/usr/bin/env python3
"""The failure table as a suite (make stress).

Each row runs against the release build (build/ipcscope) and the sanitizer
build (build/san/ipcscope, ASan + UBSan), and checks what applies of: no
sanitizer report, RSS back near its baseline, received + lost = produced,
no ghost (a process the model holds alive that /proc does not have),
nothing of the test left stopped (state T) or orphaned, no BPF program or
link of ours left, the terminal restored. Rows:

  1 overflow  a 4 KiB ring and N one-byte writes: lost counted, exact sum
  2 stall     ipcscope stopped (SIGSTOP) while N writes are made, SIGCONT:
              losses counted, resynced, exact sum, no crash
  3 churn     10,000+ short-lived processes from parallel forkers, under
              -p with --json and with the live view (tmux): no ghosts, RSS
              back near baseline, -p ends when its process is a zombie
  4 shapes    fd 19999 in many children, threads, CLONE_FILES, close_range,
              a reused pid: snapshot vs /proc, events for the high fd and
              close_range, bounded memory
  5 hostile   escapes, controls, invalid UTF-8 and bidi overrides in comm,
              paths, payloads and output: JSON valid, nothing raw on screen
  6 kill      SIGKILL and SIGTERM to ipcscope in the hold before exec and
              while the command runs, --json and live: nothing stopped or
              orphaned, no BPF left, terminal restored (SIGTERM)
  7 resize    a resize-window storm down to 1x1 under the live view: no
              crash, the view comes back, q restores the terminal

Each row prints one line per build (PASS/FAIL, RSS before/after/peak in kB,
lost, resyncs, seconds, and why it failed); the suite ends with
"stress: N passed, M failed" and exits non-zero on any failure.

  python3 tests/stress/run.py [ROW...]      (names or numbers; root)
  STRESS_QUICK=1       smaller counts (CI, a few minutes)
  STRESS_BUILDS=release,asan  which builds (default both)
  STRESS_KEEP=1        keep the temporary directories

Only processes these tests started are ended, by pid; tmux runs on a
private socket whose server is ended at the close.
"""
import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGS = os.path.join(ROOT, "build/tests/stress/progs")
QUICK = os.environ.get("STRESS_QUICK") == "1"
KEEP = os.environ.get("STRESS_KEEP") == "1"
BUILDS = {"release": os.path.join(ROOT, "build/ipcscope"),
          "asan": os.path.join(ROOT, "build/san/ipcscope")}
TMUX_SOCKET = f"ipcscope-stress-{os.getpid()}"

N_OVERFLOW = 50_000 if QUICK else 200_000
N_STALL = 50_000 if QUICK else 200_000
N_CHURN = 2_000 if QUICK else 10_000
N_FORKERS = 4
N_HIGH = 100 if QUICK else 300
N_RESIZES = 60 if QUICK else 300
STALL_S = 1.0 if QUICK else 2.0
# RSS "near baseline": what a churn may leave behind (allocator caches,
# the model's memory of ended processes), and what the fd shapes may cost
RSS_SLACK_KB = 16 * 1024
SHAPES_LIMIT_KB = 64 * 1024


def prog(name):
    return os.path.join(PROGS, name)


def wait_until(cond, timeout, step=0.05):
    """Polls cond() until it is true or the deadline passes; its last value."""
    end = time.time() + timeout
    while True:
        v = cond()
        if v or time.time() >= end:
            return v
        time.sleep(step)


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status", errors="replace") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def proc_stat(pid):
    """(state, ppid) of a pid, or None when /proc has no such process."""
    try:
        # comm may be anything (row 5): bytes, not strict UTF-8
        with open(f"/proc/{pid}/stat", errors="replace") as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    return rest[0], int(rest[1])


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def pids_with(token):
    """Pids whose command line holds token (the row's temporary dir)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit() and token.encode() in cmdline(int(d)):
            out.append(int(d))
    return out


def kill_pid(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


class RssWatch:
    """Samples a pid's VmRSS every 50 ms in a thread: the baseline (set by
    mark()), the peak (VmHWM and samples) and the last value."""

    def __init__(self, pid):
        self.pid = pid
        self.base = self.last = self.peak = None
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(0.05)

    def sample(self):
        rss = status_kb(self.pid, "VmRSS")
        hwm = status_kb(self.pid, "VmHWM")
        if rss is not None:
            self.last = rss
            self.peak = max(self.peak or 0, rss, hwm or 0)
        return rss

    def mark(self):
        self.base = self.sample()

    def end(self):
        self.stop.set()
        self.t.join()

    def figures(self):
        def k(v):
            return "-" if v is None else str(v)
        return f"rss {k(self.base)}/{k(self.last)}/{k(self.peak)} kB"


class Row:
    """One row against one build: a temporary dir, the sanitizer logs,
    the figures and the failures."""

    def __init__(self, name, build):
        self.name, self.build = name, build
        self.bin = BUILDS[build]
        self.tmp = tempfile.mkdtemp(prefix=f"ipcscope-stress-{name}-")
        self.fails = []
        self.lost = self.resyncs = None
        self.rss = None
        self.extra = ""
        self.start = time.time()
        self.seen = set()    # pids of ours, for the BPF check
        san = os.path.join(self.tmp, "san")
        self.env = dict(os.environ,
                        ASAN_OPTIONS=f"log_path={san}:detect_leaks=1:"
                                     "quarantine_size_mb=16:abort_on_error=0",
                        UBSAN_OPTIONS=f"log_path={san}:print_stacktrace=1")

    def path(self, name):
        return os.path.join(self.tmp, name)

    def fail(self, why):
        self.fails.append(why)

    def check(self, cond, why):
        if not cond:
            self.fail(why)
        return cond

    def env_prefix(self):
        return "env " + " ".join(shlex.quote(f"{k}={self.env[k]}")
                                 for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"))

    def sanitizer(self, stderr_text=""):
        reports = glob.glob(os.path.join(self.tmp, "san*"))
        for r in reports:
            with open(r, errors="replace") as f:
                head = [l for l in f.read().splitlines() if "ERROR" in l or
                        "runtime error" in l or "SUMMARY" in l]
            self.fail(f"sanitizer report {os.path.basename(r)}: "
                      f"{(head or ['?'])[0][:160]}")
        m = re.search(r".*(runtime error|Sanitizer).*", stderr_text)
        if m and not reports:
            self.fail(f"sanitizer on stderr: {m.group(0)[:160]}")

    def leftovers(self, tracer_pid, timeout=5):
        """Nothing of the test may stay once ipcscope is gone: no process
        whose command line holds our dir (the held child still has
        ipcscope's), stopped or orphaned. Ends any it finds, by pid."""
        def left():
            out = []
            for pid in pids_with(self.tmp):
                st = proc_stat(pid)
                if b"STRESS-ENDED" in cmdline(pid):
                    continue    # the tmux server and its pane's shell
                if pid != tracer_pid and st and st[0] != "Z":
                    out.append((pid, st[0], st[1]))
            return out
        self.seen.update(p for p, _, _ in left())
        rest = [] if wait_until(lambda: not left(), timeout) else left()
        for what, states in (("stopped", "Tt"), ("running (orphaned)", None)):
            some = [f"{pid} (state {state}, ppid {ppid})"
                    for pid, state, ppid in rest
                    if (state in states if states else state not in "Tt")]
            if some:
                self.fail(f"{len(some)} process(es) of the test left {what}: "
                          f"{', '.join(some[:4])}")
        for pid, _, _ in rest:
            kill_pid(pid, signal.SIGKILL)
            kill_pid(pid, signal.SIGCONT)
        return rest

    def bpf_left(self):
        """No BPF program or link held by a pid of ours."""
        ours = self.seen
        for kind in ("prog", "link"):
            p = subprocess.run(["bpftool", "-j", kind, "show"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            try:
                items = json.loads(p.stdout or b"[]")
            except ValueError:
                continue
            for it in items:
                holders = {h.get("pid") for h in it.get("pids", [])}
                if holders & ours:
                    self.fail(f"BPF {kind} {it.get('id')} "
                              f"{it.get('name', '')} still held by "
                              f"{sorted(holders & ours)}")

    def line(self):
        ok = not self.fails
        t = time.time() - self.start
        fig = [self.rss.figures() if self.rss else "rss -/-/- kB",
               f"lost {'-' if self.lost is None else self.lost}",
               f"resyncs {'-' if self.resyncs is None else self.resyncs}",
               f"{t:.1f} s"]
        if self.extra:
            fig.append(self.extra)
        msg = f"{'PASS' if ok else 'FAIL'} {self.name} [{self.build}]  " + \
            "  ".join(fig)
        if not ok:
            msg += "\n     " + "\n     ".join(self.fails[:12])
            if len(self.fails) > 12:
                msg += f"\n     ... {len(self.fails) - 12} more"
        return ok, msg

    def close(self):
        if KEEP:
            print(f"     (kept {self.tmp})")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


# --- running ipcscope --------------------------------------------------------

def read_json(row, path):
    """The JSON lines of a run: (events, summary); every line must be
    strict UTF-8 and valid JSON."""
    events, summary, bad = [], None, 0
    with open(path, "rb") as f:
        for raw in f:
            try:
                obj = json.loads(raw.decode("utf-8", "strict"))
            except (UnicodeDecodeError, ValueError):
                bad += 1
                if bad == 1:
                    row.fail(f"invalid JSON line: {raw[:120]!r}")
                continue
            if obj.get("type") == "summary":
                summary = obj
            else:
                events.append(obj)
    row.check(summary is not None, "no summary line")
    if summary:
        row.lost, row.resyncs = summary.get("lost"), summary.get("resyncs")
    return events, summary or {}


def ghosts(row, summary):
    """The model's live processes that /proc does not have alive."""
    if "alive" not in summary:
        row.fail("summary has no 'alive': the model's processes cannot be "
                 "held against /proc")
        return
    bad = [p for p in summary["alive"]
           if (proc_stat(p) or ("X",))[0] in "XZ"]
    row.check(not bad, f"{len(bad)} ghost(s) in the model: {bad[:10]}")


class Json:
    """ipcscope --json [args] with stdout to a file, stderr kept."""

    def __init__(self, row, args):
        self.row = row
        self.out = row.path("out.json")
        self.err = row.path("stderr")
        # -o: the traced command keeps stdout (command.out)
        with open(row.path("command.out"), "wb") as o, \
                open(self.err, "wb") as e:
            self.p = subprocess.Popen([row.bin, "--json", "-o", self.out,
                                       *args], stdout=o,
                                      stderr=e, stdin=subprocess.DEVNULL,
                                      env=row.env, cwd=row.tmp)
        row.seen.add(self.p.pid)
        row.rss = RssWatch(self.p.pid)

    def mark_released(self):
        """The RSS baseline: once the command runs (the tracer has loaded
        and attached), or the tracer ended."""
        mine = cmdline(self.p.pid)

        def released():
            if self.p.poll() is not None:
                return True
            # the child has exec'd: it no longer has our command line
            for pid in pids_with(self.row.tmp):
                st = proc_stat(pid)
                if st and st[1] == self.p.pid and cmdline(pid) != mine:
                    return True
            return False
        wait_until(released, 30, 0.01)
        self.row.rss.mark()

    def wait(self, timeout=120):
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.row.fail(f"ipcscope did not end in {timeout} s")
            kill_pid(self.p.pid, signal.SIGKILL)
            rc = self.p.wait()
        self.row.rss.end()
        return rc

    def stderr(self):
        with open(self.err, errors="replace") as f:
            return f.read()

    def finish(self, expect_rc=0):
        rc = self.wait()
        err = self.stderr()
        if expect_rc is not None:
            self.row.check(rc == expect_rc,
                           f"exit status {rc}, want {expect_rc}: {err[-200:]!r}")
        self.row.sanitizer(err)
        self.row.leftovers(self.p.pid)
        return read_json(self.row, self.out)


def tmux(*args, check=False):
    return subprocess.run(["tmux", "-L", TMUX_SOCKET, *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=check)


class Live:
    """ipcscope's live view in a private tmux server: its pid, rc and the
    stty settings before and after are written to files by the pane."""

    def __init__(self, row, args, w=100, h=30):
        self.row = row
        self.pidf, self.rcf = row.path("live.pid"), row.path("live.rc")
        self.before, self.after = row.path("stty.before"), row.path("stty.after")
        self.err = row.path("stderr")
        q = shlex.quote
        argv = " ".join(q(a) for a in [row.bin, *args])
        script = (f"stty -a >{q(self.before)}; "
                  f"{row.env_prefix()} bash -c 'echo $$ >\"$0\"; exec \"$@\"' "
                  f"{q(self.pidf)} {argv} 2>{q(self.err)}; "
                  f"rc=$?; stty -a >{q(self.after)}; echo $rc >{q(self.rcf)}; "
                  f"echo STRESS-ENDED; sleep 600")
        self.session = "s" + os.path.basename(row.tmp).replace(".", "_")
        tmux("new-session", "-d", "-s", self.session, "-x", str(w), "-y", str(h),
             "sh", "-c", script, check=True)
        tmux("set-option", "-t", self.session, "window-size", "manual")
        self.pid = wait_until(lambda: self.read_pid(), 10)
        row.check(self.pid, "the live view never started")
        if self.pid:
            row.seen.add(self.pid)
            row.rss = RssWatch(self.pid)

    def read_pid(self):
        try:
            with open(self.pidf) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def screen(self, escapes=False):
        p = tmux("capture-pane", "-p", *(["-e"] if escapes else []),
                 "-t", self.session)
        return p.stdout.decode("utf-8", "replace")

    def wait_screen(self, regex, timeout=15):
        r = re.compile(regex, re.M)
        return wait_until(lambda: r.search(self.screen()), timeout, 0.1)

    def keys(self, *keys):
        tmux("send-keys", "-t", self.session, *keys)

    def resize(self, w, h):
        tmux("resize-window", "-t", self.session, "-x", str(w), "-y", str(h))

    def rc(self):
        try:
            with open(self.rcf) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def stderr(self):
        try:
            with open(self.err, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def ended(self, timeout=20):
        rc = wait_until(lambda: self.rc() is not None, timeout, 0.1) and self.rc()
        if self.rc() is None:
            self.row.fail(f"the live view did not end in {timeout} s")
            if self.pid:
                kill_pid(self.pid, signal.SIGKILL)
            wait_until(lambda: self.rc() is not None, 5)
        if self.row.rss:
            self.row.rss.end()
        err = self.stderr()
        m = re.search(r"(\d+) lost, (\d+) resyncs", err)
        if m:
            self.row.lost, self.row.resyncs = int(m.group(1)), int(m.group(2))
        self.row.sanitizer(err)
        return self.rc()

    def stty_same(self):
        try:
            with open(self.before) as a, open(self.after) as b:
                before, after = a.read(), b.read()
        except OSError:
            self.row.fail("no stty settings from the pane")
            return
        # the size is the window's, not a mode: left out
        def modes(s):
            return re.sub(r"rows \d+; columns \d+;", "", s).split()
        if modes(before) != modes(after):
            a, b = modes(before), modes(after)
            diff = [f"-{x}" for x in a if x not in b] + \
                [f"+{y}" for y in b if y not in a] or [f"{len(a)}->{len(b)} words"]
            self.row.fail(f"terminal not restored: {' '.join(diff)[:160]}")

    def close(self):
        tmux("kill-session", "-t", self.session)


# --- rows -------------------------------------------------------------------

_base_events = {}


def produce_base(row):
    """Events of `produce - 0 FILE` (exec, the loader's opens, exit): a
    fixed number, measured once per build without losses."""
    if row.build not in _base_events:
        sub = Row("base", row.build)
        j = Json(sub, ["--", prog("produce"), "-", "0", sub.path("data")])
        events, summary = j.finish()
        _base_events[row.build] = (len(events) if summary.get("lost") == 0
                                   else None)
        sub.close()
    return _base_events[row.build]


def count_conserved(row, events, summary, produced):
    received = len([e for e in events if "pid" in e])
    lost = summary.get("lost", 0)
    row.extra = f"received {received} + lost {lost} vs produced {produced}"
    row.check(received + lost == produced,
              f"received {received} + lost {lost} = {received + lost}, "
              f"produced {produced}")


def row_overflow(row):
    base = produce_base(row)
    if base is None:
        return row.fail("the baseline run lost events")
    j = Json(row, ["--ring-size", "4096", "--", prog("produce"), "-",
                   str(N_OVERFLOW), row.path("data")])
    j.mark_released()
    events, summary = j.finish()
    row.check(summary.get("lost", 0) > 0,
              "no overflow: nothing lost with a 4 KiB ring")
    count_conserved(row, events, summary, base + N_OVERFLOW)


def row_stall(row):
    base = produce_base(row)
    if base is None:
        return row.fail("the baseline run lost events")
    go = row.path("go")
    j = Json(row, ["--ring-size", "262144", "--", prog("produce"), go,
                   str(N_STALL), row.path("data")])

    def producer():
        for pid in pids_with(row.tmp):
            st = proc_stat(pid)
            if pid != j.p.pid and st and st[0] not in "TtZ" and \
                    cmdline(pid).startswith(prog("produce").encode()):
                return pid
        return None
    pid = wait_until(producer, 20)
    if not row.check(pid, "produce never ran"):
        kill_pid(j.p.pid, signal.SIGTERM)
        j.wait()
        return
    row.rss.mark()
    os.kill(j.p.pid, signal.SIGSTOP)
    wait_until(lambda: (proc_stat(j.p.pid) or "T")[0] in "Tt", 5)
    open(go, "w").close()
    # the writes are made while the consumer is stopped
    done = wait_until(lambda: (proc_stat(pid) or ("Z",))[0] == "Z", 60)
    row.check(done, "produce did not finish its writes while ipcscope was stopped")
    time.sleep(STALL_S)     # the stall itself, not an assertion
    os.kill(j.p.pid, signal.SIGCONT)
    events, summary = j.finish()
    row.check(summary.get("lost", 0) > 0, "nothing lost in the stall")
    row.check(summary.get("resyncs", 0) > 0, "no resync after the losses")
    # the heartbeat: one open and one close per 20 ms it waited for go
    beats = len([e for e in events if e.get("pid") == pid and
                 e.get("type") == "open" and e.get("object") == "/dev/null"])
    writes = len([e for e in events if e.get("type") == "write"])
    row.check(writes <= N_STALL, f"{writes} writes received, {N_STALL} made")
    received = len([e for e in events if "pid" in e])
    lost = summary.get("lost", 0)
    # the heartbeats were all before the stop: never lost
    produced = base + N_STALL + 2 * beats
    row.extra = (f"received {received} + lost {lost} vs produced {produced}")
    row.check(received + lost == produced,
              f"received {received} + lost {lost} = {received + lost}, "
              f"produced {produced}")


def churn_ctrl(row):
    """A churn controller we start (so -p can trace it), waiting for go."""
    files = [row.path(n) for n in ("go", "done", "stop")]
    p = subprocess.Popen([prog("churn"), *files, str(N_CHURN), str(N_FORKERS)],
                         stdin=subprocess.DEVNULL, cwd=row.tmp)
    row.seen.add(p.pid)
    return p, files


def churn_run(row, ctrl, files, settled, during=None):
    """Starts the churn, waits for it, then for the view to settle and the
    RSS to come back near its baseline."""
    go, done, _ = files
    row.rss.mark()
    open(go, "w").close()
    if not row.check(wait_until(lambda: (during and during()) or
                                os.path.exists(done), 600, 0.2),
                     "the churn did not finish"):
        return False
    with open(done) as f:
        row.check(f.read().strip() == "ok", "churn children failed")
    settled()
    limit = row.rss.base + RSS_SLACK_KB
    back = wait_until(lambda: (row.rss.sample() or 0) <= limit, 15, 0.2)
    row.check(back, f"RSS {row.rss.last} kB not back near baseline "
                    f"{row.rss.base} kB (+{RSS_SLACK_KB} kB)")
    return True


def end_p(row, ctrl, files, tracer_ended, stop_tracer):
    """The controller exits (a zombie: we do not reap it yet); -p must
    see it end by itself (--json ends, the live view says so)."""
    open(files[2], "w").close()
    wait_until(lambda: (proc_stat(ctrl.pid) or ("Z",))[0] == "Z", 10)
    if not wait_until(tracer_ended, 10, 0.1):
        ctrl.wait()
        after = wait_until(tracer_ended, 5, 0.1)
        row.fail("-p did not end with its process a zombie" +
                 (" (it did once the zombie was reaped)" if after else ""))
        if not after:
            stop_tracer()
    ctrl.wait()


def row_churn_json(row):
    ctrl, files = churn_ctrl(row)
    j = Json(row, ["-p", str(ctrl.pid)])
    # attached once the controller's heartbeat shows in the output
    want = f'"pid":{ctrl.pid},'.encode()

    def attached():
        try:
            with open(j.out, "rb") as f:
                return want in f.read()
        except OSError:
            return False
    if not row.check(wait_until(attached, 20, 0.1), "-p never saw its process"):
        open(files[0], "w").close()
    else:
        churn_run(row, ctrl, files, lambda: None)
    end_p(row, ctrl, files, lambda: j.p.poll() is not None,
          lambda: kill_pid(j.p.pid, signal.SIGINT))
    events, summary = j.finish()
    forks = len([e for e in events if e.get("type") == "fork"])
    row.extra = f"forks seen {forks}"
    ghosts(row, summary)


def row_churn_live(row):
    ctrl, files = churn_ctrl(row)
    live = Live(row, ["-p", str(ctrl.pid)])
    try:
        if not live.pid:
            return
        if not row.check(live.wait_screen(rf"\b{ctrl.pid} churn", 20),
                         f"the view never showed {ctrl.pid}"):
            open(files[0], "w").close()

        others = re.compile(r"(?:^|[─`\-\s])(\d+) churn")

        def ghost_rows():
            return sorted({int(m) for m in others.findall(live.screen())} -
                          {ctrl.pid})
        left = []
        most = [0]

        def during():
            most[0] = max(most[0], len(ghost_rows()))

        def settled():
            nonlocal left
            # exited processes are greyed, then go: wait for that
            wait_until(lambda: not ghost_rows(), 30, 0.2)
            left = [p for p in ghost_rows() if proc_stat(p) is None]
            row.check(not left, f"{len(left)} ghost(s) on screen: {left[:10]}")
        churn_run(row, ctrl, files, settled, during)
        row.check(most[0] > 0, "no churn child was ever seen on screen")
        row.extra = f"at most {most[0]} children on screen"
        end_p(row, ctrl, files,
              lambda: "traced processes have exited" in live.screen(),
              lambda: None)
        live.keys("q")
        live.ended()
        live.stty_same()
        row.leftovers(live.pid)
    finally:
        live.close()


def snapshot_vs_proc(row, pids):
    p = subprocess.run([row.bin, "--snapshot", "--json", "-p", str(pids[0])],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=row.env, timeout=120)
    row.sanitizer(p.stderr.decode(errors="replace"))
    if not row.check(p.returncode == 0, f"--snapshot exit status {p.returncode}"):
        return
    snap = json.loads(p.stdout)
    files = {f["id"]: f["object"] for f in snap["files"]}
    procs = {pr["pid"]: pr for pr in snap["processes"]}
    bad = []
    for pid in pids:
        try:
            d = f"/proc/{pid}/fd"
            want = {int(fd): os.readlink(f"{d}/{fd}") for fd in os.listdir(d)}
        except OSError:
            bad.append(f"{pid} gone from /proc")
            continue
        if pid not in procs:
            bad.append(f"{pid} missing")
            continue
        got = {fd["fd"]: files.get(fd["file"]) for fd in procs[pid]["fds"]}
        if got != want:
            diff = sorted(set(got.items()) ^ set(want.items()))[:4]
            bad.append(f"{pid} fds differ {diff}")
    row.check(not bad, f"snapshot vs /proc: {'; '.join(bad[:5])}")


def row_shapes(row):
    ready, go = row.path("ready"), row.path("go")
    j = Json(row, ["--", prog("shapes"), ready, go, str(N_HIGH)])
    j.mark_released()
    base = row.rss.base
    if not row.check(wait_until(lambda: os.path.exists(ready), 60, 0.1),
                     "shapes never got ready"):
        open(go, "w").close()
        j.finish(None)
        return
    with open(ready) as f:
        pids = [int(x) for x in f.readline().split()]
        reuse = int(f.readline().split()[1])
    row.seen.update(pids)
    row.check(reuse > 0, "no pid could be reused (clone3 set_tid)")
    snapshot_vs_proc(row, pids)
    # what the tracer holds for N tables with fd 19999
    row.rss.sample()
    row.check(row.rss.peak - (base or 0) <= SHAPES_LIMIT_KB,
              f"RSS peak {row.rss.peak} kB for {N_HIGH} tables holding fd "
              f"19999 (limit {SHAPES_LIMIT_KB} kB over baseline)")
    open(go, "w").close()
    events, summary = j.finish()
    high = [e for e in events if e.get("fd") == 19999]
    row.check(high, "no event for fd 19999")
    cr = [e for e in events if e.get("type") == "close" and
          100 <= (e.get("fd") or 0) < 150]
    row.check(len(cr) >= 50, f"close_range 100..149: {len(cr)} closes told")
    if reuse:
        execs = [e for e in events if e.get("type") == "fork" and
                 e.get("child") == reuse]
        row.check(len(execs) == 2, f"reused pid {reuse}: {len(execs)} forks "
                                   "told, want 2")
    ghosts(row, summary)
    row.extra = f"{len(pids)} processes, reused pid {reuse}"


HOSTILE_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def row_hostile_json(row):
    d = row.path("names")
    os.mkdir(d)
    j = Json(row, ["--payload", "64", "--", prog("hostile"), d, "-"])
    j.mark_released()
    events, summary = j.finish()
    with open(j.out, "rb") as f:
        raw = f.read().decode("utf-8", "replace")
    row.check(not re.search("[\u202a-\u202e\u2066-\u2069\x80-\x9f]", raw),
              "a raw bidi override or C1 control in the JSON")
    strings = [v for e in events for v in e.values() if isinstance(v, str)]
    # json.loads turns \u001b back into ESC: a value may hold one only
    # as data (a payload); names and paths are escaped
    leaked = [s for s in strings if "\x1b" in s]
    names = [e.get("comm", "") for e in events] + \
        [e.get("object", "") for e in events if isinstance(e.get("object"), str)]
    row.check(not [n for n in names if HOSTILE_RAW.search(n)],
              f"control characters in comm or paths: "
              f"{[n for n in names if HOSTILE_RAW.search(n)][:2]!r}")
    row.extra = f"{len(events)} events, {len(leaked)} values carry ESC as data"


def row_hostile_live(row):
    d = row.path("names")
    os.mkdir(d)
    go = row.path("go")
    tmux("set-option", "-g", "set-titles", "on")
    live = Live(row, ["--", prog("hostile"), d, go])
    try:
        if not live.pid:
            return
        title0 = tmux("display-message", "-p", "-t", live.session,
                      "#{pane_title}").stdout.decode().strip()
        shown = live.wait_screen(r"RED", 20)
        row.rss.mark()
        row.check(shown, "the command's output never showed")
        plain, esc = live.screen(), live.screen(escapes=True)
        title = tmux("display-message", "-p", "-t", live.session,
                     "#{pane_title}").stdout.decode().strip()
        row.check("PWNED" not in title, f"the title became {title!r}")
        row.check(title == title0, f"the title changed: {title0!r} -> {title!r}")
        row.check(not HOSTILE_RAW.search(plain),
                  f"raw control or bidi on screen: "
                  f"{HOSTILE_RAW.search(plain).group(0)!r}"
                  if HOSTILE_RAW.search(plain) else "")
        # capture -e renders attributes as SGR; a raw "ESC[31;5m" from the
        # program would show as blink (5), which the view never uses
        sgr = re.findall(r"\x1b\[([0-9;:]*)m", esc)
        blink = [s for s in sgr if "5" in s.split(";")]
        row.check(not blink, f"the program's SGR reached the screen: {blink[:3]}")
        row.check("PROCESSES" in plain, "the header was cleared or moved")
        open(go, "w").close()
        live.wait_screen(r"exit|ended|exited", 10)
        live.keys("q")
        rc = live.ended()
        row.check(rc == 0, f"exit status {rc}")
        live.stty_same()
        row.leftovers(live.pid)
    finally:
        live.close()


def kill_case(row, mode, sig, phase):
    """One kill: ipcscope -- shapes (with children), signalled in the
    hold before exec or once shapes runs. Returns why it failed, or ''."""
    sub = Row(f"kill-{mode}-{sig.name}-{phase}", row.build)
    ready, go = sub.path("ready"), sub.path("go")
    args = ["--", prog("shapes"), ready, go, "2"]
    live = None
    try:
        if mode == "json":
            j = Json(sub, args)
            tpid = j.p.pid
        else:
            live = Live(sub, args)
            tpid = live.pid
            if not tpid:
                return "; ".join(sub.fails)

        def held():
            # the held command: ipcscope's child that has not exec'd yet
            # (it waits on a pipe, so its state is no proof); not the
            # guard, which ipcscope starts once the command is ready
            for pid in pids_with(sub.tmp):
                st = proc_stat(pid)
                try:
                    exe = os.readlink(f"/proc/{pid}/exe")
                    with open(f"/proc/{pid}/comm") as f:
                        comm = f.read().strip()
                except OSError:
                    continue
                if (st and st[1] == tpid and comm != "ipcscope-guard" and
                        os.path.realpath(exe) == os.path.realpath(sub.bin)):
                    return pid
            return None
        if phase == "hold":
            child = wait_until(held, 10, 0.002)
            if not child:
                sub.fail("the hold before exec was never seen")
        else:
            wait_until(lambda: os.path.exists(ready), 20, 0.05)
            if live:
                live.wait_screen("PROCESSES", 10)
        sub.seen.update(pids_with(sub.tmp))
        kill_pid(tpid, sig)
        if mode == "json":
            j.wait(30)
            sub.sanitizer(j.stderr())
        else:
            live.ended(20)
            if sig == signal.SIGTERM:
                live.stty_same()
        # the command and its children must go with ipcscope; what is
        # left is ended by pid (go is never made, so nothing ends by itself)
        sub.leftovers(tpid, timeout=5)
        sub.bpf_left()
        return "; ".join(sub.fails)
    finally:
        if live:
            live.close()
        sub.close()


def row_kill(row):
    n = 0
    for mode in ("json", "live"):
        for sig in (signal.SIGKILL, signal.SIGTERM):
            for phase in ("hold", "run"):
                why = kill_case(row, mode, sig, phase)
                n += 1
                if why:
                    row.fail(f"{mode} {sig.name} in {phase}: {why}")
    row.extra = f"{n} kills"


def row_resize(row):
    files = [row.path(n) for n in ("go", "done", "stop")]
    live = Live(row, ["--", prog("churn"), "-", files[1], files[2],
                      str(N_CHURN // 5), "2"])
    try:
        if not live.pid:
            return
        row.check(live.wait_screen("PROCESSES", 15), "no view")
        row.rss.mark()
        sizes = [(1, 1), (2, 2), (200, 60), (10, 3), (80, 24), (79, 23),
                 (3, 40), (300, 100), (40, 10), (81, 25), (1, 50), (120, 2)]
        for i in range(N_RESIZES):
            live.resize(*sizes[i % len(sizes)])
            if i % 25 == 0 and (proc_stat(live.pid) or ("X",))[0] in "XZ":
                break
        alive = (proc_stat(live.pid) or ("X",))[0] not in "XZ"
        row.check(alive, "ipcscope died in the resize storm")
        live.resize(100, 30)
        row.check(live.wait_screen("PROCESSES", 15),
                  "the view did not come back at 100x30")
        open(files[2], "w").close()
        live.keys("q")
        rc = live.ended()
        row.check(rc == 0, f"exit status {rc}")
        live.stty_same()
        row.leftovers(live.pid)
        row.extra = f"{N_RESIZES} resizes"
    finally:
        live.close()


ROWS = [
    ("1-overflow", row_overflow),
    ("2-stall", row_stall),
    ("3-churn-json", row_churn_json),
    ("3-churn-live", row_churn_live),
    ("4-shapes", row_shapes),
    ("5-hostile-json", row_hostile_json),
    ("5-hostile-live", row_hostile_live),
    ("6-kill", row_kill),
    ("7-resize", row_resize),
]


def main(argv):
    if os.geteuid() != 0:
        print("FAIL stress: needs root (BPF)")
        print("stress: 0 passed, 1 failed")
        return 1
    builds = os.environ.get("STRESS_BUILDS", "release,asan").split(",")
    missing = [b for b in builds if not os.access(BUILDS.get(b, ""), os.X_OK)]
    missing += [p for p in ("produce", "churn", "shapes", "hostile")
                if not os.access(prog(p), os.X_OK)]
    for tool in ("tmux", "bpftool"):
        if not shutil.which(tool):
            missing.append(tool)
    if missing:
        print(f"FAIL stress: missing {', '.join(missing)} (make stress builds them)")
        print("stress: 0 passed, 1 failed")
        return 1
    rows = [(n, f) for n, f in ROWS
            if not argv or any(n == a or n.split("-")[0] == a or
                               n.split("-", 1)[1].startswith(a) for a in argv)]
    passed = failed = 0
    start = time.time()
    print(f"stress: {'quick' if QUICK else 'full'} run, builds {', '.join(builds)}")
    try:
        for name, fn in rows:
            for build in builds:
                row = Row(name, build)
                try:
                    fn(row)
                except Exception as e:  # a row's failure, whatever it raised
                    tb = traceback.extract_tb(e.__traceback__)[-1]
                    row.fail(f"{type(e).__name__}: {e} (run.py:{tb.lineno} "
                             f"in {tb.name})")
                ok, msg = row.line()
                print(msg, flush=True)
                row.close()
                passed += ok
                failed += not ok
    finally:
        tmux("kill-server")
    print(f"stress: {passed} passed, {failed} failed "
          f"({time.time() - start:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
