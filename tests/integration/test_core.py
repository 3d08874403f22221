"""Core tracer: processes, fd tables, pipes, FIFOs, ref counts, snapshot."""
import json
import os
import re

from harness import (Holder, check, eq, kcmp_same_file, of, one, proc_fds,
                     prog, rmtree, run_ipcscope, snapshot, tempdir, test,
                     trace)


def closes_of(events, file_id):
    return [e["refs"] for e in of(events, "close", file=file_id)]


@test(quick=True, core=True)
def pipe_fork_hello():
    events, summary = trace([prog("pipe_fork")], ["--payload", "32"])
    eq(summary["lost"], 0, "lost events")
    parent = of(events, "exec")[0]["pid"]
    pipes = of(events, "pipe", pid=parent)
    eq([(e["fd"], e["mode"], e["refs"]) for e in pipes], [(3, "r", 1), (4, "w", 1)],
       "pipe(): two ends, refs 1 each")
    eq(pipes[0]["object"], pipes[1]["object"], "both ends name one pipe")
    check(pipes[0]["object"].startswith("pipe:["), "pipe object name")
    eq(pipes[0]["kind"], "pipe", "kind")
    rd, wr = pipes[0]["file"], pipes[1]["file"]
    check(rd != wr, "two open-file entries")
    child = one(events, "fork", pid=parent)["child"]

    # each side closes its unused end: 2 references become 1
    eq(of(events, "close", pid=parent, file=rd)[0]["refs"], 1, "parent closes read end")
    eq(of(events, "close", pid=child, file=wr)[0]["refs"], 1,
       "child closes write end, naming the parent's entry")
    # and the last close of each end takes it to 0
    eq(closes_of(events, wr), [1, 0], "write end refs at each close")
    eq(closes_of(events, rd), [1, 0], "read end refs at each close")

    w = one(events, "write", pid=parent)
    eq((w["fd"], w["file"], w["bytes"], w["syscall"], w["data"]),
       (4, wr, 12, "write", "Hello, Pipe!"), "parent's write")
    eq(w["buffered"], 12, "bytes in the pipe after the write")
    eq(w["capacity"], 65536, "pipe capacity")
    r = of(events, "read", pid=child)
    eq((r[0]["file"], r[0]["bytes"], r[0]["data"]), (rd, 12, "Hello, Pipe!"),
       "child's read")
    eq(r[-1]["bytes"], 0, "child reads EOF once the write end is gone")
    eq(one(events, "exit", pid=child)["code"], 0, "child exit code")
    eq(one(events, "exit", pid=parent)["code"], 0, "parent exit code")
    for e in events:
        for key in ("ts", "type", "pid", "tid", "comm"):
            check(key in e, f"{key} in every event: {e}")


@test(core=True)
def pipe_fork_refs_in_snapshot():
    with Holder("pipe-fork") as h:
        parent, child = h.pids
        snap = snapshot([parent])
        procs = {p["pid"]: p for p in snap["processes"]}
        eq(sorted(procs), sorted([parent, child]), "processes: holder and child")
        files = {f["id"]: f for f in snap["files"]}
        pfds = {d["fd"]: d["file"] for d in procs[parent]["fds"]}
        cfds = {d["fd"]: d["file"] for d in procs[child]["fds"]}
        for fd in (3, 4):
            eq(pfds[fd], cfds[fd], f"fd {fd} is one entry in both processes")
            eq(files[pfds[fd]]["refs"], 2, f"fd {fd} entry refs after fork")
        check(kcmp_same_file(parent, 3, child, 3), "kcmp agrees")


@test(core=True)
def dup2_stdout_then_exec():
    events, _ = trace([prog("dup2_exec")])
    parent = of(events, "exec")[0]["pid"]
    wr = of(events, "pipe", pid=parent)[1]
    child = one(events, "fork", pid=parent)["child"]
    d = one(events, "dup", pid=child)
    eq((d["fd"], d["oldfd"], d["file"]), (1, wr["fd"], wr["file"]),
       "dup2(write end, 1) shares the write end's entry")
    # the parent closed its write end before the child started (SIGUSR1):
    # child fd 4 and fd 1
    check(of(events, "close", pid=parent, file=wr["file"])[0]["ts"] < d["ts"],
          "the parent closed its write end first")
    eq(d["refs"], 2, "refs after dup2")
    gone = of(events, "close", pid=child, fd=1)[0]
    eq(gone.get("implicit"), "dup2", "dup2 closes what fd 1 held")
    execs = of(events, "exec", pid=child)
    eq(os.path.basename(execs[0]["filename"]), "echo", "child execs echo")
    w = one(events, "write", pid=child)
    eq((w["fd"], w["file"], w["bytes"]), (1, wr["file"], 6),
       "echo writes into the pipe through fd 1")
    r = of(events, "read", pid=parent, kind="pipe")
    eq(sum(e["bytes"] for e in r), 6, "parent reads what echo wrote")


@test(quick=True, core=True)
def open_three_times_vs_dup():
    d = tempdir()
    try:
        path = os.path.join(d, "file")
        open(path, "w").close()
        events, _ = trace([prog("open_dup"), path])
        opens = of(events, "open", object=path)
        eq(len(opens), 4, "four opens of the file")
        eq([e["refs"] for e in opens[:3]], [1, 1, 1], "three opens: refs 1 each")
        eq(len({e["file"] for e in opens[:3]}), 3, "three opens: three entries")
        entry = opens[3]["file"]
        dups = of(events, "dup")
        eq([(e["file"], e["refs"]) for e in dups], [(entry, 2), (entry, 3)],
           "open once, dup twice: one entry, refs rising")
        eq(closes_of(events, entry), [2, 1, 0], "closes bring it back down")
        for e in opens[:3]:
            eq(closes_of(events, e["file"]), [0], "separate entries close to 0")
    finally:
        rmtree(d)


@test(core=True)
def fork_shares_offset():
    d = tempdir()
    try:
        path = os.path.join(d, "file")
        with Holder("offset", path, lines=2) as h:
            parent, child = h.pids
            snap = snapshot([parent])
            procs = {p["pid"]: p for p in snap["processes"]}
            files = {f["id"]: f for f in snap["files"]}
            pf = [x["file"] for x in procs[parent]["fds"] if files[x["file"]]["object"] == path]
            cf = [x["file"] for x in procs[child]["fds"] if files[x["file"]]["object"] == path]
            eq(len(pf), 1, "parent has the file once")
            eq(pf, cf, "parent and child share one entry")
            eq((files[pf[0]]["pos"], files[pf[0]]["refs"]), (8, 2),
               "one offset, moved by both: 5 + 3 bytes; refs 2")
    finally:
        rmtree(d)


@test(core=True)
def fifo_between_unrelated_processes():
    d = tempdir()
    try:
        fifo = os.path.join(d, "fifo")
        peer = prog("fifo_peer")
        script = (f"mkfifo {fifo} && {{ {peer} reader {fifo} & "
                  f"{peer} writer {fifo}; wait $!; }}")
        events, _ = trace(["sh", "-c", script])
        mk = one(events, "mkfifo")
        eq(mk["path"], fifo, "mkfifo path")
        opens = of(events, "open", object=fifo)
        eq(sorted(e["mode"] for e in opens), ["r", "w"], "one reader, one writer")
        eq({e["kind"] for e in opens}, {"fifo"}, "kind fifo")
        check(len({e["pid"] for e in opens}) == 2, "two processes")
        w = one(events, "write", object=fifo)
        r = [e for e in of(events, "read", object=fifo) if e["bytes"] > 0]
        eq((w["bytes"], sum(e["bytes"] for e in r)), (4, 4), "4 bytes through the FIFO")
        wfile = [e["file"] for e in opens if e["mode"] == "w"][0]
        eq(w["file"], wfile, "write names the writer's entry")
    finally:
        rmtree(d)


@test(core=True)
def process_exits_with_fds_open():
    with Holder("exit-open") as h:
        parent, child = h.pids
        snap = snapshot([parent])
        eq([p["pid"] for p in snap["processes"]], [parent], "child is gone")
        files = {f["id"]: f for f in snap["files"]}
        proc = snap["processes"][0]
        for x in proc["fds"]:
            if x["fd"] in (3, 4):
                eq(files[x["file"]]["refs"], 1, f"fd {x['fd']}: child's refs dropped at exit")
    # and traced live: the exit drops the child's references
    events, _ = trace([prog("pipe_fork")])
    check(of(events, "exit"), "exit events")


@test(quick=True, core=True)
def snapshot_agrees_with_proc_and_kcmp():
    d = tempdir()
    try:
        with Holder("mixed", d) as h:
            pids = h.pids
            snap = snapshot([pids[0]])
            procs = {p["pid"]: p for p in snap["processes"]}
            files = {f["id"]: f for f in snap["files"]}
            eq(sorted(procs), sorted(pids), "holder and its child")
            slots = {}
            for pid in pids:
                truth = proc_fds(pid)
                mine = {x["fd"]: files[x["file"]]["object"] for x in procs[pid]["fds"]}
                eq(mine, truth, f"pid {pid}: fds and objects as /proc/PID/fd has them")
                for x in procs[pid]["fds"]:
                    slots.setdefault(x["file"], []).append((pid, x["fd"]))
            # which fds share an entry: exactly what kcmp(KCMP_FILE) says
            everything = [(pid, x["fd"], x["file"]) for pid in pids for x in procs[pid]["fds"]]
            for i, (p1, f1, id1) in enumerate(everything):
                for p2, f2, id2 in everything[i + 1:]:
                    eq(id1 == id2, kcmp_same_file(p1, f1, p2, f2),
                       f"same entry? pid {p1} fd {f1} vs pid {p2} fd {f2}")
            for fid, holders in slots.items():
                if all(fd >= 3 for _, fd in holders):  # 0-2 are shared with us
                    eq(files[fid]["refs"], len(holders), f"{fid} refs = fd slots {holders}")
            kinds = {o["kind"] for o in snap["objects"]}
            check({"pipe", "fifo", "file", "socket"} <= kinds, f"object kinds {kinds}")
            # the holder's FIFO among others (under make vmtest, fds 0-2
            # are the harness's own FIFO)
            fifos = [o["name"] for o in snap["objects"] if o["kind"] == "fifo"]
            check(os.path.join(d, "fifo") in fifos, f"FIFO named by path: {fifos}")
            cloexec = {x["fd"] for x in procs[pids[0]]["fds"] if x["cloexec"]}
            check(len(cloexec) == 2, f"two cloexec fds, got {cloexec}")
    finally:
        rmtree(d)


@test(quick=True)
def untrusted_comm_is_escaped():
    events, _ = trace([prog("evil_comm")])
    o = one(events, "open", object="/dev/null")
    eq(o["comm"], "\\x1b[31mevil\\x07\\\\", "comm escaped in JSON")


@test(quick=True, core=True)
def text_log_in_plain_words():
    """--text: a line per event (time, pid, name, plain words), escaped,
    then one summary line."""
    p = run_ipcscope(["--text", "--", "sh", "-c", "echo hi | cat"])
    eq(p.returncode, 0, f"exit status (stderr {p.stderr.decode()!r})")
    raw = p.stdout
    check(not any(b < 0x20 and b != 0x0a or b == 0x7f for b in raw),
          "no raw control bytes")
    lines = raw.decode("utf-8").splitlines()
    events = [ln.split(None, 3) for ln in lines
              if ln[:2].isdigit() and ln[2:3] == ":"]
    check(any(e[3].startswith("pipe fd 3: ") and "pipe:[" in e[3]
              for e in events if len(e) == 4), f"a line for the pipe: {lines}")
    check(any(e[3].startswith("fork: child ") for e in events if len(e) == 4),
          f"a line for the fork: {lines}")
    check(all(e[1].isdigit() for e in events), "each line has the pid")
    # the optional features off (fast-data before 6.2, or refused) close it
    check(lines[-1].startswith("summary: ") and " events, 0 lost" in lines[-1]
          and re.search(r", exit status 0(, features off: [a-z, -]+)?$", lines[-1]),
          f"a closing summary line: {lines[-1]!r}")
    p = run_ipcscope(["--text", "--", prog("evil_comm")])
    eq(p.returncode, 0, "evil_comm under --text")
    check(b"\x1b" not in p.stdout and b"\\x1b[31mevil\\x07" in p.stdout,
          "an untrusted comm escaped")


@test(quick=True)
def errors_are_one_clear_line():
    p = run_ipcscope(["--no-such-option"])
    eq(p.returncode, 2, "bad option exit status")
    check(b"unknown option" in p.stderr and b"--help" in p.stderr, p.stderr)
    p = run_ipcscope(["--json", "--", "/no/such/program"])
    eq(p.returncode, 127, "missing command exit status")
    eq(len(p.stderr.decode().strip().splitlines()), 1, "one line")
    check(b"cannot run '/no/such/program'" in p.stderr, p.stderr)
    p = run_ipcscope(["--snapshot", "-p", "abc"])
    eq(p.returncode, 2, "bad pid is a usage error")
    p = run_ipcscope(["--snapshot", "-p", "4000000"])
    check(p.returncode == 1 and b"no process with pid 4000000" in p.stderr, p.stderr)
    p = run_ipcscope(["--payload", "300", "--json"])
    eq(p.returncode, 2, "payload over 256")
    p = run_ipcscope([])  # stdout is a pipe here: no live view
    check(p.returncode == 2 and b"needs a terminal" in p.stderr, p.stderr)


@test(core=True)
def exit_status_of_the_command():
    _, summary = trace(["sh", "-c", "exit 7"], expect_rc=7)
    eq(summary["exit_status"], 7, "summary carries the status")
    events, _ = trace(["sh", "-c", "kill -TERM $$"], expect_rc=128 + 15)
    eq(of(events, "exit")[-1].get("signal"), 15, "killed by SIGTERM")


@test
def demo_tour_runs_every_demo():
    d = tempdir()
    try:
        out = os.path.join(d, "tour.json")
        p = run_ipcscope(["--json", "-o", out, "--demo", "tour", "--pace", "0"],
                         timeout=120)
        eq(p.returncode, 0, f"tour exit status (stderr {p.stderr.decode()!r})")
        with open(out) as f:
            events = [json.loads(line) for line in f]
        titles = [e["name"] for e in of(events, "demo")]
        listed = run_ipcscope(["--list-demos"]).stdout.decode().split("\n")
        names = [line.split()[0] for line in listed if line and not line.startswith("tour")]
        eq(titles, names, "a title before each demo, in --list-demos order")
        eq(events[-1]["type"], "summary", "summary last")
        eq(events[-1]["lost"], 0, "nothing lost")
        for kind in ("pipe", "mkfifo", "msgsnd", "shmat", "semop", "accept",
                     "socketpair", "mmap", "signal"):
            check(of(events, kind), f"the tour shows {kind} events")
    finally:
        rmtree(d)


@test
def output_file_is_private_and_never_a_link():
    """-o creates its file 0600 (payloads are other programs' bytes) and
    refuses a symbolic link, leaving its target as it was."""
    d = tempdir()
    try:
        out, target, link = (os.path.join(d, n) for n in ("out.json", "target", "link"))
        p = run_ipcscope(["--json", "-o", out, "--", "true"])
        eq(p.returncode, 0, f"exit status (stderr {p.stderr.decode()!r})")
        eq(os.stat(out).st_mode & 0o777, 0o600, "mode of the file -o made")
        with open(target, "w") as f:
            f.write("keep")
        os.symlink(target, link)
        p = run_ipcscope(["--json", "-o", link, "--", "true"])
        eq(p.returncode, 1, "a link is refused")
        err = p.stderr.decode().strip().splitlines()
        eq(len(err), 1, f"one line: {err}")
        check("symbolic link" in err[0], f"it says why: {err[0]}")
        with open(target) as f:
            eq(f.read(), "keep", "the link's target untouched")
        p = run_ipcscope(["--json", "-o", "/dev/stdout", "--", "true"])
        eq(p.returncode, 0, "/dev/stdout still works")
        eq(json.loads(p.stdout.decode().splitlines()[-1])["type"], "summary",
           "the JSON on stdout")
    finally:
        rmtree(d)
