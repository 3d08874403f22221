"""The life of a run: what ipcscope leaves behind when it ends, however it
ends, and when it ends by itself. Checked from outside, in /proc: whether
a pid still exists, its state and its parent. Every test ends only the
processes it started, by pid; tests wait for conditions, never for times.
"""
import json
import os
import select
import signal
import subprocess
import tempfile
import time

from harness import IPCSCOPE, ROOT, check, eq, rmtree, tempdir, test


def proc_stat(pid):
    """(state, ppid, pgrp, start time, comm) of a pid, or None when no
    process has it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19]), comm


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def ended(pid, start):
    """The process that had pid at start time has exited: no such pid, a
    zombie, or another process now."""
    st = proc_stat(pid)
    return st is None or st[0] in "ZX" or st[3] != start


def wait_until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"{timeout} s without: {what}")
        time.sleep(0.05)


def kill_pid(pid, start, sig=signal.SIGKILL):
    """Ends a process the test started (directly or through ipcscope), by
    pid, only while the pid is still that process."""
    st = proc_stat(pid)
    if st and st[3] == start and st[0] not in "ZX":
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def describe(pid):
    st = proc_stat(pid)
    if st is None:
        return f"pid {pid} gone"
    return f"pid {pid} ({st[4]}) in state {st[0]}, parent {st[1]}"


class Run:
    """ipcscope --json running, its stdout read line by line as it comes."""

    def __init__(self, args, stdout=subprocess.PIPE):
        # stderr to a file: processes left behind may hold a pipe open
        self.err = tempfile.TemporaryFile()
        self.p = subprocess.Popen([IPCSCOPE, *args], stdin=subprocess.DEVNULL,
                                  stdout=stdout, stderr=self.err, cwd=ROOT)
        self.buf = b""
        self.events = []

    def read(self, timeout):
        """Reads what came within timeout seconds; False at the end."""
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            return True
        data = os.read(self.p.stdout.fileno(), 65536)
        if not data:
            return False
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        self.events += [json.loads(line) for line in lines if line]
        return True

    def wait_events(self, cond, timeout, what):
        deadline = time.monotonic() + timeout
        while not cond(self.events):
            left = deadline - time.monotonic()
            if left <= 0 or not self.read(min(left, 0.2)):
                raise AssertionError(f"no {what} in {len(self.events)} "
                                     f"events; stderr {self.stderr()!r}")

    def finish(self, timeout):
        """Waits for the end and reads the rest; returns the exit status.
        (Processes left behind may hold stdout open: no EOF to wait for.)"""
        deadline = time.monotonic() + timeout
        while self.p.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"ipcscope still running {timeout} s "
                                     f"later; stderr {self.stderr()!r}")
            self.read(0.2)
        while self.read(0) and select.select([self.p.stdout], [], [], 0)[0]:
            pass
        return self.p.returncode

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        if self.p.stdout:
            self.p.stdout.close()
        self.err.close()


# --- a command held before its exec ------------------------------------------

def held_command_outlives_no_tracer(sig):
    """ipcscope killed while the command it started waits for the tracer
    (before its exec): the command must not be left behind, stopped or
    otherwise, once ipcscope is gone."""
    for attempt in range(3):
        run = Run(["--json", "--", "sleep", "1000"], stdout=subprocess.DEVNULL)
        child = start = None
        try:
            def held():
                nonlocal child, start
                for pid in children(run.p.pid):
                    st = proc_stat(pid)
                    if st:
                        child, start = pid, st[3]
                        return True
                return run.p.poll() is not None
            wait_until(held, 10, "a child of ipcscope")
            check(child, f"ipcscope ended early: {run.stderr()!r}")
            st = proc_stat(child)
            if not st or st[4] != "ipcscope":
                continue  # it had already been let run: try again
            os.kill(run.p.pid, sig)
            run.p.wait(timeout=30)
            try:
                wait_until(lambda: ended(child, start), 10,
                           "the held command gone")
            except AssertionError:
                raise AssertionError(f"after ipcscope got {sig.name} during "
                                     f"the hold: {describe(child)}")
            return
        finally:
            run.close()
            if child:
                kill_pid(child, start)
                kill_pid(child, start, signal.SIGCONT)
    raise AssertionError("never caught the command held before its exec")


@test
def held_command_gone_after_sigterm():
    held_command_outlives_no_tracer(signal.SIGTERM)


@test
def held_command_gone_after_sigkill():
    held_command_outlives_no_tracer(signal.SIGKILL)


# --- ending ipcscope ends the command it started -----------------------------

def sleeps_running(events):
    return len([e for e in events if e["type"] == "exec"
                and e["filename"].endswith("/sleep")]) >= 2


def command_ended_by(argv, how, read_rest=True):
    """Runs argv under ipcscope --json until two sleeps of it run, ends
    ipcscope with how(run), and checks that every process of the command
    that was running then is gone. Returns (exit status, stderr, events,
    the pids that were running)."""
    run = Run(["--json", "--", *argv])
    pids = {}
    try:
        run.wait_events(sleeps_running, 30, "exec of two sleeps")
        for e in run.events:
            if e["type"] in ("exec", "fork"):
                for pid in (e["pid"], e.get("child")):
                    st = pid and proc_stat(pid)
                    if st and st[0] not in "ZX":
                        pids[pid] = st[3]
        how(run)
        rc = run.finish(30) if read_rest else run.p.wait(timeout=30)
        err = run.stderr()
        for pid, start in pids.items():
            try:
                wait_until(lambda: ended(pid, start), 10,
                           f"pid {pid} of the command gone")
            except AssertionError:
                raise AssertionError(f"after ipcscope ended: {describe(pid)}; "
                                     f"stderr {err!r}")
        return rc, err, run.events, pids
    finally:
        run.close()
        for pid, start in pids.items():
            kill_pid(pid, start)


def ended_by_signal(sig):
    rc, err, events, pids = command_ended_by(
        ["sh", "-c", "sleep 1000 & sleep 1001; exit 3"],
        lambda run: run.p.send_signal(sig))
    eq(len(pids), 3, f"sh and its two sleeps were running: {pids}")
    eq(rc, 0, f"exit status after {sig.name} (stderr {err!r})")
    check(events and events[-1]["type"] == "summary", "a summary last")
    eq(events[-1].get("exit_status"), 128 + signal.SIGTERM,
       "the summary has the command's status: ended by SIGTERM")
    lines = [ln for ln in err.splitlines() if "command" in ln]
    eq(len(lines), 1, f"one line on stderr says the command was ended: {err!r}")
    check("SIGTERM" in lines[0], f"it says how: {lines[0]!r}")


@test
def sigint_ends_the_command():
    ended_by_signal(signal.SIGINT)


@test
def sigterm_ends_the_command():
    ended_by_signal(signal.SIGTERM)


@test
def sighup_ends_the_command():
    ended_by_signal(signal.SIGHUP)


@test
def lost_output_ends_the_command():
    """The output goes away (an error that ends the run): the command is
    ended too, and ipcscope fails. The command makes events all the time,
    so that ipcscope has something to write."""
    def close_stdout(run):
        run.p.stdout.close()
        run.p.stdout = None
    rc, err, _, _ = command_ended_by(
        ["sh", "-c", "sleep 1000 & while sleep 0.1; do :; done"],
        close_stdout, read_rest=False)
    eq(rc, 1, f"exit status when the output went away (stderr {err!r})")
    check("command" in err, f"stderr says the command was ended: {err!r}")


# --- -p PID ends when PID exits, even as a zombie ----------------------------

@test
def pid_exited_unreaped_ends_the_run():
    """-p of a process whose parent never reaps it: it exits and stays a
    zombie, and ipcscope must end all the same."""
    d = tempdir()
    stop = os.path.join(d, "stop")
    # the parent forks the loop, then becomes a sleep, which never waits
    parent = subprocess.Popen(
        ["sh", "-c", 'sh -c \'while [ ! -e "$0" ]; do sleep 0.1; done\' "$0" & '
         'echo $!; exec sleep 1000', stop], stdout=subprocess.PIPE, cwd=ROOT)
    pstart = proc_stat(parent.pid)[3]
    run = None
    try:
        child = int(parent.stdout.readline())
        run = Run(["--json", "-p", str(child)])
        # the truth that it traces the child: the child's sleeps show up
        run.wait_events(lambda ev: any(e["type"] == "exec" for e in ev), 30,
                        "event of the traced loop")
        open(stop, "w").close()
        wait_until(lambda: (proc_stat(child) or "Z")[0] == "Z", 10,
                   "the child exited, a zombie of a parent that never reaps")
        rc = run.finish(30)
        eq(rc, 0, "exit status once the traced process exited")
        eq(run.events[-1]["type"], "summary", "a summary last")
        st = proc_stat(child)
        check(st and st[0] == "Z" and st[1] == parent.pid,
              f"still a zombie of its parent: {describe(child)}")
    finally:
        if run:
            run.close()
        kill_pid(parent.pid, pstart)
        parent.wait()
        parent.stdout.close()
        rmtree(d)


# --- lost events are located in the stream ------------------------------------

@test
def lost_events_are_located():
    """With a tiny ring, a write storm loses events: "lost" lines say where,
    their counts add up to the summary's, and a resync follows them."""
    d = tempdir()
    try:
        out = os.path.join(d, "trace.json")
        p = subprocess.run(
            [IPCSCOPE, "--json", "--ring-size", "4096", "-o", out, "--",
             "sh", "-c", "dd if=/dev/zero bs=1 count=100000 status=none | "
             "cat >/dev/null; sleep 0.5"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, timeout=120, cwd=ROOT)
        eq(p.returncode, 0, f"exit status (stderr {p.stderr.decode()!r})")
        with open(out) as f:
            events = [json.loads(line) for line in f]
        summary = events[-1]
        eq(summary["type"], "summary", "summary last")
        check(summary["lost"] > 0, "a 4 KiB ring loses events in a write storm")
        lost = [i for i, e in enumerate(events) if e["type"] == "lost"]
        check(lost, "lost lines in the stream")
        eq(sum(events[i]["count"] for i in lost), summary["lost"],
           "the lost lines add up to the summary's count")
        for i in lost:
            e = events[i]
            check(e["count"] > 0 and "ts" in e, f"a lost line: {e}")
        check(any(e["type"] == "resync" for e in events[lost[0]:]),
              "a resync after the losses")
    finally:
        rmtree(d)
