"""ipcscope held against strace on real workloads (issue 13): each one runs
once as `ipcscope --json -- strace -f -y -- CMD`, one run, so pids and
inodes are the same on both sides, and strace_diff compares the fd-table
story of every process, operation by operation. Any disagreement fails the
test and prints both sides. The workloads use only what a Debian 12 machine
with the project's packages has (git aside: see GIT below). The
comparator's own checks come first: a comparator that cannot fail proves
nothing."""
import json
import os
import random
import shutil
import subprocess

from harness import IPCSCOPE, check, eq, rmtree, tempdir, test
import strace_diff

# Debian's own interpreter: a python3 earlier on PATH may be a shell shim
PY = "/usr/bin/python3"
GIT = "/usr/bin/git"
# a PATH of the system's own directories, so that a shell's command search
# and the programs found are the same on every machine
ENV_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# differing steps shown per process: enough to see what and why; the rest
# is counted (IPCSCOPE_STRACE_KEEP=DIR keeps both sides to see them all)
LIMIT = 40


def strace_run(tag, argv, cwd, timeout=240, env=None):
    """Runs argv in cwd under strace under ipcscope and returns the
    disagreements of the two stories (empty when they agree), each side's
    evidence included. The command starts with fds 0, 1 and 2 only. The
    run's own files stay out of cwd, where the workload would see them."""
    own = tempdir()
    try:
        return strace_run_in(tag, argv, cwd, own, timeout, env)
    finally:
        rmtree(own)


def strace_run_in(tag, argv, cwd, own, timeout, env):
    log, js = os.path.join(own, "strace.log"), os.path.join(own, "trace.json")
    out, err = os.path.join(own, "stdout"), os.path.join(own, "stderr")
    cmd = [IPCSCOPE, "--json", "-o", js, "--", "strace", "-f", "-y", "-tt",
           "-s", "256", "-o", log, "--", *argv]
    full_env = {"PATH": ENV_PATH, "HOME": cwd, "LC_ALL": "C", "TMPDIR": cwd}
    full_env.update(env or {})
    with open(out, "wb") as so, open(err, "wb") as se:
        # close_fds (the default) is what makes "0, 1 and 2 only" true
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=so, stderr=se,
                           timeout=timeout, cwd=cwd, env=full_env)
    with open(err, encoding="utf-8", errors="replace") as f:
        errtext = f.read()
    eq(p.returncode, 0, f"exit status of {' '.join(argv)} (stderr {errtext[-2000:]!r})")
    with open(js, encoding="utf-8") as f:
        lines = f.read().splitlines()
    with open(log, encoding="utf-8", errors="replace") as f:
        strace_text = f.read()
    summary = json.loads(lines[-1])
    eq(summary.get("type"), "summary", "the last JSON line")
    eq((summary["lost"], summary["bad_records"]), (0, 0), "lost events and bad records")
    keep = os.environ.get("IPCSCOPE_STRACE_KEEP")
    if keep:     # both sides, for `python3 strace_diff.py LOG JSON`
        os.makedirs(keep, exist_ok=True)
        shutil.copy(log, os.path.join(keep, f"{tag}.strace"))
        shutil.copy(js, os.path.join(keep, f"{tag}.json"))
    mismatches, warnings = strace_diff.compare(
        strace_text, lines, {0: "/dev/null", 1: out, 2: err}, limit=LIMIT)
    check(not warnings, "the strace log used fds it never opened (the comparator's "
          "starting table is wrong):\n" + "\n".join(warnings))
    return mismatches


def agree(tag, argv, cwd, **kw):
    mismatches = strace_run(tag, argv, cwd, **kw)
    if mismatches:
        raise AssertionError(f"{' '.join(argv)}: {len(mismatches)} lines of "
                             "disagreement\n" + "\n".join(mismatches))


def in_tempdir(body):
    d = tempdir()
    try:
        body(d)
    finally:
        rmtree(d)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


# --- the comparator, on hand-written logs ----------------------------------

# A shell with fd 3 close-on-exec: a pipe, a vfork child whose lines come
# before the parent's vfork returns, a dup2 onto open fd 1, an exec that
# drops fd 3, a close_range in the parent, and a thread.
SELF_LOG = """\
100 10:00:00.000001 execve("/bin/sh", ["sh"], 0x7ffd /* 1 vars */) = 0
100 10:00:00.000002 openat(AT_FDCWD</t>, "/etc/x", O_RDONLY|O_CLOEXEC) = 3</etc/x>
100 10:00:00.000003 pipe2([4<pipe:[77]>, 5<pipe:[77]>], 0) = 0
100 10:00:00.000004 vfork( <unfinished ...>
101 10:00:00.000005 dup2(5<pipe:[77]>, 1</t/out>) = 1<pipe:[77]>
101 10:00:00.000006 close(-1) = -1 EBADF (Bad file descriptor)
101 10:00:00.000007 execve("/bin/echo", ["echo", "a (b) = c"], 0x7ffd /* 1 vars */) = 0
100 10:00:00.000008 <... vfork resumed>) = 101
101 10:00:00.000009 exit_group(0) = ?
101 10:00:00.000010 +++ exited with 0 +++
100 10:00:00.000011 fcntl(4<pipe:[77]>, F_SETFD, FD_CLOEXEC) = 0
100 10:00:00.000012 ioctl(4<pipe:[77]>, FIONCLEX) = 0
100 10:00:00.000013 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, \
exit_signal=0} => {parent_tid=[102]}, 88) = 102
102 10:00:00.000014 memfd_create("m", MFD_CLOEXEC) = 6</memfd:m>(deleted)
102 10:00:00.000015 exit(0) = ?
102 10:00:00.000016 +++ exited with 0 +++
100 10:00:00.000017 close_range(4, 4294967295, 0 <unfinished ...>
100 10:00:00.000018 <... close_range resumed>) = 0
100 10:00:00.000019 exit_group(0) = ?
100 10:00:00.000020 +++ exited with 0 +++
"""


def self_json():
    """ipcscope's side of SELF_LOG, as it should be (strace's own process
    99 and its pre-exec steps in 100 included, to be left out)."""
    ev = [
        ("exec", 99, {"filename": "/usr/bin/strace"}),
        ("open", 99, {"fd": 3, "object": "/t/log", "cloexec": False}),
        ("fork", 99, {"child": 98}),
        ("close", 98, {"fd": 0, "object": "/dev/null"}),
        ("fork", 99, {"child": 100}),
        ("close", 100, {"fd": 3, "object": "/t/log"}),
        ("exec", 100, {"filename": "/bin/sh"}),
        ("open", 100, {"fd": 3, "object": "/etc/x", "cloexec": True}),
        ("pipe", 100, {"fd": 4, "object": "pipe:[77]", "cloexec": False}),
        ("pipe", 100, {"fd": 5, "object": "pipe:[77]", "cloexec": False}),
        ("fork", 100, {"child": 101}),
        ("close", 101, {"fd": 1, "object": "/t/out", "implicit": "dup2"}),
        ("dup", 101, {"fd": 1, "oldfd": 5, "object": "pipe:[77]", "cloexec": False}),
        ("exec", 101, {"filename": "/bin/echo"}),
        ("close", 101, {"fd": 3, "object": "/etc/x", "implicit": "exec"}),
        ("fcntl", 100, {"fd": 4, "object": "pipe:[77]", "cloexec": True}),
        ("fcntl", 100, {"fd": 4, "object": "pipe:[77]", "cloexec": False}),
        ("memfd", 100, {"fd": 6, "object": "/memfd:m (deleted)", "cloexec": True}),
        ("close", 100, {"fd": 4, "object": "pipe:[77]", "implicit": "close_range"}),
        ("close", 100, {"fd": 5, "object": "pipe:[77]", "implicit": "close_range"}),
        ("close", 100, {"fd": 6, "object": "/memfd:m", "implicit": "close_range"}),
    ]
    return [json.dumps({"ts": i, "type": t, "pid": pid, **f})
            for i, (t, pid, f) in enumerate(ev)] + ['{"type":"summary"}']


ROOT_FDS = {0: "/dev/null", 1: "/t/out", 2: "/t/err"}


def self_compare(json_lines):
    out, warnings = strace_diff.compare(SELF_LOG, json_lines, ROOT_FDS)
    eq(warnings, [], "comparator warnings")
    return "\n".join(out)


@test
def strace_diff_agrees_on_the_same_story():
    eq(self_compare(self_json()), "", "disagreements")


def without(pred):
    """self_json() without the events pred picks."""
    return [x for x in self_json() if not pred(json.loads(x))]


@test
def strace_diff_finds_a_missing_exec_close():
    got = self_compare(without(lambda e: e.get("implicit") == "exec"))
    check("pid 101 (sh>echo, child of 100)" in got and
          "- strace:   close fd 3 (exec): /etc/x" in got and "+ ipcscope: (nothing)" in got,
          f"the diff names the close: {got}")
    check("pid 100" not in got, f"only pid 101 differs: {got}")


@test
def strace_diff_finds_a_wrong_object_and_flag():
    lines = [x.replace('"fd": 5, "object": "pipe:[77]", "cloexec": false',
                       '"fd": 5, "object": "pipe:[78]", "cloexec": true') for x in self_json()]
    got = self_compare(lines)
    check("- strace:   new fd 5 by pipe: pipe:[77]\n" in got and
          "+ ipcscope: new fd 5 by pipe: pipe:[78] cloexec" in got, f"both sides shown: {got}")
    check("pipe2([4<pipe:[77]>, 5<pipe:[77]>], 0) = 0" in got, f"strace's line: {got}")


@test
def strace_diff_finds_missing_close_range_and_cloexec():
    got = self_compare(without(lambda e: (e.get("implicit") == "close_range" and e["fd"] == 6)
                               or (e["type"] == "fcntl" and e["cloexec"] is False)))
    check("close fd 6 (close_range): /memfd:m" in got, f"close_range's close: {got}")
    check("- strace:   fd 4 close-on-exec off" in got and "FIONCLEX" in got,
          f"the ioctl: {got}")


@test
def strace_diff_finds_an_extra_process_and_a_wrong_dup2():
    lines = without(lambda e: e.get("implicit") == "dup2")
    lines.insert(-1, '{"ts":99,"type":"open","pid":555,"fd":3,"object":"/x","cloexec":false}')
    got = self_compare(lines)
    check("pid 555 (?, child of ?, not in the strace log)" in got, f"pid 555: {got}")
    check("- strace:   close fd 1 (dup2): /t/out" in got, f"the dup2 close: {got}")


@test
def strace_diff_holds_the_kinds_the_readme_names():
    # memfd_create has no type in the README: any will do
    eq(self_compare([x.replace('"type": "memfd"', '"type": "open"') for x in self_json()]),
       "", "memfd_create told as an open")
    got = self_compare([x.replace('"type": "dup"', '"type": "open"') for x in self_json()])
    check("- strace:   new fd 1 by dup: pipe:[77]" in got and
          "+ ipcscope: new fd 1 by open: pipe:[77]" in got, f"dup2 told as an open: {got}")


# --- workloads ---------------------------------------------------------------

@test
def strace_shell_pipeline():
    in_tempdir(lambda d: agree("shell_pipeline",
                               ["sh", "-c", "seq 100000 | sort -r | gzip | wc -c"], d))


@test
def strace_sort_spills_through_gzip():
    def body(d):
        rnd = random.Random(13)
        write(os.path.join(d, "in"), "".join(f"{rnd.randrange(10**9)}\n" for _ in range(60000)))
        # 64 KiB of buffer over 600 KB of input: several temporary files,
        # each written and read back through a gzip child and its pipes
        agree("sort_spills_through_gzip", ["sort", "-S", "64k", "--compress-program=gzip",
                                           "-T", d, "-o", "out", "in"], d)
    in_tempdir(body)


@test
def strace_tar_gzip():
    def body(d):
        src = os.path.join(d, "src")
        os.makedirs(os.path.join(src, "sub"))
        for i in range(20):
            write(os.path.join(src, "sub" if i % 2 else "", f"f{i}"), f"file {i}\n" * (i * 50))
        agree("tar_gzip", ["sh", "-c", "tar cf - src | gzip -c > a.tgz && tar czf b.tgz src && "
                           "tar xzf b.tgz -O > /dev/null"], d)
    in_tempdir(body)


MAKEFILE = """\
all: c.txt d.txt e.txt
a.txt: ; seq 1000 > $@
b.txt: ; seq 2000 > $@
c.txt: a.txt b.txt ; cat a.txt b.txt | sort -n | uniq > $@
d.txt: a.txt ; tr 0-9 a-j < a.txt > $@
e.txt: c.txt d.txt ; cat $^ | gzip -c | wc -c > $@
"""


@test
def strace_make_j2():
    def body(d):
        write(os.path.join(d, "Makefile"), MAKEFILE)
        agree("make_j2", ["make", "-s", "-j2"], d)
    in_tempdir(body)


@test
def strace_git_commit():
    check(os.access(GIT, os.X_OK), f"{GIT} is missing: this test needs Debian's git package")

    def body(d):
        for i in range(5):
            write(os.path.join(d, f"f{i}.txt"), f"line {i}\n" * 100)
        env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
        agree("git_commit", ["sh", "-c", "git init -q && git add . && git commit -q -m first && "
                             "git log --oneline > /dev/null && git gc -q"], d, env=env)
    in_tempdir(body)


PY_SUBPROCESS = """\
import os, subprocess, sys
r = subprocess.run(["sort", "-r"], input=b"a\\nb\\nc\\n", stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, check=True)
assert r.stdout == b"c\\nb\\na\\n", r.stdout
r = subprocess.run("echo hi | tr a-z A-Z", shell=True, capture_output=True, check=True)
assert r.stdout == b"HI\\n", r.stdout
rd, wr = os.pipe()
p = subprocess.Popen(["sh", "-c", f"echo passed >&{wr}"], pass_fds=[wr])
os.close(wr)
p.wait()
assert os.read(rd, 100) == b"passed\\n"
os.close(rd)
"""


@test
def strace_python_subprocess():
    def body(d):
        write(os.path.join(d, "w.py"), PY_SUBPROCESS)
        agree("python_subprocess", [PY, "w.py"], d)
    in_tempdir(body)


PY_POOL = """\
import multiprocessing
def square(x):
    return x * x
if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        assert pool.map(square, range(50)) == [x * x for x in range(50)]
"""


@test
def strace_python_multiprocessing_pool():
    def body(d):
        write(os.path.join(d, "w.py"), PY_POOL)
        agree("python_multiprocessing_pool", [PY, "w.py"], d)
    in_tempdir(body)


# The server listens before it forks, so the client's connect needs no wait.
PY_ECHO = """\
import os, socket, sys
family = socket.AF_UNIX if sys.argv[1] == "unix" else socket.AF_INET
srv = socket.socket(family, socket.SOCK_STREAM)
srv.bind("s.sock" if family == socket.AF_UNIX else ("127.0.0.1", 0))
srv.listen(2)
addr = srv.getsockname()
kids = []
for n in range(2):
    pid = os.fork()
    if pid == 0:
        srv.close()
        c = socket.socket(family, socket.SOCK_STREAM)
        c.connect(addr)
        c.sendall(b"ping %d" % n)
        assert c.recv(100) == b"ping %d" % n
        c.close()
        os._exit(0)
    kids.append(pid)
for n in range(2):
    conn, _ = srv.accept()
    conn.sendall(conn.recv(100))
    conn.close()
for pid in kids:
    assert os.waitpid(pid, 0)[1] == 0
srv.close()
"""


@test
def strace_python_unix_echo():
    def body(d):
        write(os.path.join(d, "w.py"), PY_ECHO)
        agree("python_unix_echo", [PY, "w.py", "unix"], d)
    in_tempdir(body)


@test
def strace_python_tcp_echo():
    def body(d):
        write(os.path.join(d, "w.py"), PY_ECHO)
        agree("python_tcp_echo", [PY, "w.py", "tcp"], d)
    in_tempdir(body)


@test
def strace_sysv_tools():
    for tool in ("ipcmk", "ipcs", "ipcrm"):
        check(shutil.which(tool, path=ENV_PATH), f"{tool} (util-linux) is missing")
    script = ('id=$(ipcmk -Q | sed "s/.*: //") && ipcs -q -i "$id" > /dev/null && '
              'ipcrm -q "$id" && id=$(ipcmk -M 4096 | sed "s/.*: //") && ipcrm -m "$id"')
    in_tempdir(lambda d: agree("sysv_tools", ["sh", "-c", script], d))


# close_range in three ways: a plain range in one child, everything from 3
# up (past fd 300, more than 256 fds beyond the first) in another, and
# CLOSE_RANGE_CLOEXEC before an exec, which then drops the fds.
PY_CLOSE_RANGE = """\
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
CLOSE_RANGE_CLOEXEC = 4
rd, wr = os.pipe()
os.dup2(wr, 300)
null = os.open("/dev/null", os.O_RDONLY)
pid = os.fork()
if pid == 0:
    os.closerange(rd, wr + 1)
    os.closerange(3, 2**31 - 1)
    os._exit(0)
assert os.waitpid(pid, 0)[1] == 0
pid = os.fork()
if pid == 0:
    os.set_inheritable(null, True)
    assert libc.close_range(3, ctypes.c_uint(~0).value, CLOSE_RANGE_CLOEXEC) == 0
    os.execv("/bin/true", ["true"])
assert os.waitpid(pid, 0)[1] == 0
"""


@test
def strace_close_range():
    def body(d):
        write(os.path.join(d, "w.py"), PY_CLOSE_RANGE)
        agree("close_range", [PY, "w.py"], d)
    in_tempdir(body)


# os.set_inheritable is ioctl(FIONCLEX / FIOCLEX): the exec must drop
# exactly the fds left close-on-exec, whichever call set the flag.
PY_INHERITABLE = """\
import fcntl, os
keep = os.open("/dev/null", os.O_RDONLY)
os.set_inheritable(keep, True)
drop = os.open("/dev/null", os.O_WRONLY)
rd, wr = os.pipe()
os.set_inheritable(rd, True)
os.set_inheritable(wr, True)
os.set_inheritable(wr, False)
flip = os.dup(keep)
fcntl.fcntl(flip, fcntl.F_SETFD, 0)
fcntl.fcntl(flip, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
os.execv("/bin/sh", ["sh", "-c", f"exec 9<&{keep}; exec 9<&-"])
"""


@test
def strace_set_inheritable_then_exec():
    def body(d):
        write(os.path.join(d, "w.py"), PY_INHERITABLE)
        agree("set_inheritable_then_exec", [PY, "w.py"], d)
    in_tempdir(body)


# The calls that make fds of other kinds: eventfd, memfd, epoll, timerfd,
# signalfd, inotify, pidfd (glibc's wrappers through ctypes where Python
# has none), then an exec that drops the close-on-exec ones and a child
# that closes the rest with close_range.
PY_FD_MAKERS = """\
import ctypes, os, select, signal
libc = ctypes.CDLL(None, use_errno=True)
def ok(fd):
    assert fd >= 0, os.strerror(ctypes.get_errno())
    return fd
ep = select.epoll()
fds = [os.eventfd(0), os.eventfd(0, os.EFD_CLOEXEC), os.memfd_create("m", 0),
       ep.fileno(), ok(libc.timerfd_create(1, 0o2000000)),
       ok(libc.inotify_init1(0)), os.pidfd_open(os.getpid())]
mask = ctypes.create_string_buffer(128)
libc.sigemptyset(mask)
libc.sigaddset(mask, signal.SIGUSR1)
fds.append(ok(libc.signalfd(-1, mask, 0)))
assert libc.signalfd(fds[-1], mask, 0) == fds[-1]
pid = os.fork()
if pid == 0:
    os.closerange(3, 64)
    os._exit(0)
assert os.waitpid(pid, 0)[1] == 0
os.execv("/bin/true", ["true"])
"""


@test
def strace_fd_makers():
    def body(d):
        write(os.path.join(d, "w.py"), PY_FD_MAKERS)
        agree("fd_makers", [PY, "w.py"], d)
    in_tempdir(body)
