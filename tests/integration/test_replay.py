"""Record and replay (issue 14): a real run under --record, told again with
--replay, must print what the run printed, byte for byte, summary line
included; the record file is 0600 and never made over a file or through a
symbolic link; a damaged file is refused or replayed up to the damage with
one line on stderr, never a hang."""
import os
import stat

from test_ipc import free_port
from harness import (Holder, check, eq, prog, rmtree, run_ipcscope, tempdir,
                     test)


def runs():
    return [
        ([prog("pipe_fork")], ["--payload", "32"]),
        ([prog("close_range")], []),
        ([prog("ipc_tcp"), str(free_port())], []),
        ([prog("ipc_msg")], []),
        (["sh", "-c", "echo hi | cat; exec 3</dev/null"], []),
        # a 4 KiB ring loses events in a write storm: the lost and resync
        # lines come back where they were
        (["sh", "-c", "dd if=/dev/zero bs=1 count=20000 status=none | "
          "cat >/dev/null"], ["--ring-size", "4096"]),
    ]


def recorded(d, mode, argv, options=(), name="run"):
    """Runs ipcscope MODE --record, its output to a file (-o, so the
    traced command's own output stays apart); returns (record, output)."""
    rec, out = os.path.join(d, name + ".rec"), os.path.join(d, name + ".out")
    p = run_ipcscope([*mode, *options, "-o", out, "--record", rec, "--",
                      *argv], timeout=60)
    eq(p.returncode, 0, f"exit status of the recorded run ({p.stderr!r})")
    return rec, out


def replayed(d, mode, rec, name="replay"):
    out = os.path.join(d, name + ".out")
    p = run_ipcscope([*mode, "--replay", rec, "-o", out])
    eq(p.returncode, 0, f"exit status of the replay ({p.stderr!r})")
    with open(out, "rb") as f:
        return f.read(), p.stderr


def same_bytes(d, mode, argv, options=()):
    rec, out = recorded(d, mode, argv, options)
    with open(out, "rb") as f:
        live = f.read()
    check(live.count(b"\n") >= 2, f"the run printed little: {live!r}")
    again, _ = replayed(d, mode, rec)
    if again != live:
        raise AssertionError(
            f"{' '.join(mode)} replay of {argv} differs:\n--- live\n"
            f"{live.decode(errors='replace')}\n--- replay\n"
            f"{again.decode(errors='replace')}")
    return rec


@test(quick=True)
def replay_json_is_the_runs_json_byte_for_byte():
    d = tempdir()
    try:
        for i, (argv, options) in enumerate(runs()):
            sub = os.path.join(d, str(i))
            os.mkdir(sub)
            rec = same_bytes(sub, ["--json"], argv, options)
            st = os.lstat(rec)
            eq(stat.S_IMODE(st.st_mode), 0o600, "mode of the record file")
    finally:
        rmtree(d)


@test
def replay_text_and_top_are_the_runs():
    d = tempdir()
    try:
        for i, mode in enumerate((["--text"], ["--top", "--json"],
                                  ["--top", "--interval", "0.2"])):
            sub = os.path.join(d, str(i))
            os.mkdir(sub)
            same_bytes(sub, mode, ["sh", "-c",
                                   "yes | head -c 3000000 | wc -c; sleep 0.5"])
    finally:
        rmtree(d)


@test
def replay_snapshot_is_the_runs_snapshot():
    d = tempdir()
    try:
        with Holder("pipe-fork") as h:
            rec, out = os.path.join(d, "s.rec"), os.path.join(d, "s.out")
            p = run_ipcscope(["--snapshot", "--json", "-p", str(h.pids[0]),
                              "-o", out, "--record", rec])
            eq(p.returncode, 0, f"recorded snapshot ({p.stderr!r})")
        with open(out, "rb") as f:
            live = f.read()
        again, _ = replayed(d, ["--snapshot", "--json"], rec)
        eq(again, live, "replayed snapshot")
        # a --json run replayed as a snapshot: the model at the run's end
        rec = same_bytes(d, ["--json"], [prog("pipe_fork")])
        again, _ = replayed(d, ["--snapshot"], rec, name="snap2")
        check(again.startswith(b"PROCESSES"), f"snapshot: {again!r}")
    finally:
        rmtree(d)


@test(quick=True)
def record_never_overwrites_nor_follows_a_link():
    d = tempdir()
    try:
        path = os.path.join(d, "exists.rec")
        with open(path, "w") as f:
            f.write("keep me")
        p = run_ipcscope(["--json", "--record", path, "--", "true"])
        eq(p.returncode, 1, "exit status over an existing file")
        eq(len(p.stderr.decode().strip().splitlines()), 1, "lines on stderr")
        check(b"exists" in p.stderr, f"stderr: {p.stderr!r}")
        eq(p.stdout, b"", "nothing traced")
        with open(path) as f:
            eq(f.read(), "keep me", "the file is untouched")
        link, target = os.path.join(d, "link.rec"), os.path.join(d, "t")
        os.symlink(target, link)
        p = run_ipcscope(["--json", "--record", link, "--", "true"])
        eq(p.returncode, 1, "exit status through a link")
        check(b"symbolic link" in p.stderr, f"stderr: {p.stderr!r}")
        check(not os.path.exists(target), "nothing made through the link")
    finally:
        rmtree(d)


def replay_fails(args, what, timeout=10):
    p = run_ipcscope(args, timeout=timeout)
    eq(p.returncode, 1, f"exit status of --replay of {what}")
    lines = p.stderr.decode().strip().splitlines()
    eq(len(lines), 1, f"stderr lines for {what}: {lines}")
    return p


@test(quick=True)
def replay_of_damaged_files_says_so():
    d = tempdir()
    try:
        rec = same_bytes(d, ["--json"], [prog("pipe_fork")])
        with open(rec, "rb") as f:
            data = f.read()
        cut = os.path.join(d, "cut.rec")
        with open(cut, "wb") as f:
            f.write(data[:len(data) * 2 // 3])
        p = replay_fails(["--json", "--replay", cut], "a cut file")
        check(b"replayed the" in p.stderr, f"stderr: {p.stderr!r}")
        check(p.stdout.count(b"\n") > 0, "the part before the cut is told")
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        for path, what in ((fifo, "a FIFO"), (d, "a directory"),
                           ("/dev/zero", "/dev/zero"),
                           (os.path.join(d, "none"), "a missing file")):
            replay_fails(["--json", "--replay", path], what)
        bad = os.path.join(d, "bad.rec")
        with open(bad, "wb") as f:
            f.write(b"IPCSREC\n" + b"\xff" * 100)
        replay_fails(["--json", "--replay", bad], "a wrong version")
        # the live view (tests/terminal/test_time.sh) needs a terminal
        p = run_ipcscope(["--replay", rec])
        eq(p.returncode, 2, "--replay in the live view without a terminal")
        check(b"needs a terminal" in p.stderr, f"stderr: {p.stderr!r}")
    finally:
        rmtree(d)


@test
def replay_of_the_demo_tour_has_its_titles():
    d = tempdir()
    try:
        rec, out = os.path.join(d, "t.rec"), os.path.join(d, "t.out")
        p = run_ipcscope(["--json", "-o", out, "--record", rec, "--demo",
                          "tour", "--pace", "0"], timeout=120)
        eq(p.returncode, 0, f"the recorded tour ({p.stderr[-300:]!r})")
        with open(out, "rb") as f:
            live = f.read()
        check(live.count(b'"type":"demo"') > 10, "the tour's titles")
        again, err = replayed(d, ["--json"], rec)
        eq(again, live, "replayed tour")
        eq(err, p.stderr.splitlines(keepends=True)[-1],
           "the replay tells stderr the run's closing line")
    finally:
        rmtree(d)
