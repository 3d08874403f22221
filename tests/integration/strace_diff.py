"""The differential comparator of issue 13: reduces an `strace -f -y -tt`
log and ipcscope's JSON lines of the same run (ipcscope tracing strace
tracing the command, so pids and inodes are the same) to one fd-table
story per process, and says where the two stories differ.

A story is the ordered list of what happened to the process's fd table:
an fd made (by which kind of call, naming which object, with or without
close-on-exec), an fd closed (explicitly, or implicitly by dup2, exec or
close_range), the close-on-exec flag set or cleared, a fork, an exec.
strace is the external truth: it shows each syscall's arguments and
result, and -y names the object behind every fd. What strace does not
show (which fds an exec or a close_range closed) is derived here by
keeping each process's fd table and its close-on-exec flags from the log.

Run on files: python3 strace_diff.py STRACE_LOG JSON_LINES
"""
import difflib
import json
import re
import sys

# --- the story ---------------------------------------------------------------

# ipcscope's event type for the calls whose type the README names (a call
# missing here is held to no type: see same_kind)
KIND_OF_CALL = {
    "open": "open", "openat": "open", "openat2": "open", "creat": "open",
    "pipe": "pipe", "pipe2": "pipe", "dup": "dup", "dup2": "dup",
    "dup3": "dup", "fcntl": "fcntl", "socket": "socket",
    "socketpair": "socketpair", "accept": "accept", "accept4": "accept",
    "recvmsg": "recvfd", "recvmmsg": "recvfd", "mq_open": "mq_open",
}
KNOWN_KINDS = set(KIND_OF_CALL.values())

# ipcscope events that do not change an fd table
NOT_TABLE = {"read", "write", "bind", "connect", "listen", "mmap", "munmap",
             "signal", "exit", "mkfifo", "mq_unlink", "demo", "top",
             "summary", "msgget", "msgsnd", "msgrcv", "msgctl", "shmget",
             "shmat", "shmdt", "shmctl", "semget", "semop", "semctl",
             "lseek", "lost"}


def norm_object(name):
    """An object's name as both sides can be held to. " (deleted)" is
    dropped: whether a path is still linked is the name's state, not the
    table's, and the two sides read it at different moments (strace when
    it prints the call, ipcscope when it names the file)."""
    if name is None:
        return None
    if name.endswith("(deleted)"):
        name = name[:-len("(deleted)")].rstrip()
    return name


class Op:
    """One step of a story. key is what is compared; text is what a
    person reads; src is the line it came from (the evidence)."""

    def __init__(self, what, fd=None, kind=None, obj=None, cloexec=None,
                 how=None, child=None, path=None, src=""):
        self.what, self.fd, self.kind, self.obj = what, fd, kind, norm_object(obj)
        self.cloexec, self.how, self.child, self.path = cloexec, how, child, path
        self.src = src

    def key(self):
        """What is compared, but for the kind of call that made an fd:
        see same_kind."""
        if self.what == "new":
            return ("new", self.fd, self.obj, self.cloexec)
        if self.what == "close":
            return ("close", self.fd, self.how, self.obj)
        if self.what == "cloexec":
            return ("cloexec", self.fd, self.cloexec)
        if self.what == "fork":
            return ("fork", self.child)
        return ("exec", self.path)

    def text(self):
        if self.what == "new":
            cx = " cloexec" if self.cloexec else ""
            return f"new fd {self.fd} by {self.kind}: {self.obj}{cx}"
        if self.what == "close":
            return f"close fd {self.fd} ({self.how}): {self.obj}"
        if self.what == "cloexec":
            return f"fd {self.fd} close-on-exec {'on' if self.cloexec else 'off'}"
        if self.what == "fork":
            return f"fork: child {self.child}"
        return f"exec {self.path}"


def comm_after_exec(proc, path):
    """Every program a process ran, so a person can tell which part of a
    workload it was: "sh>sort"; a forked child starts with its parent's."""
    name = path.rsplit("/", 1)[-1]
    return f"{proc.comm}>{name}" if proc.comm else name


class Proc:
    def __init__(self, pid, parent=None, comm=""):
        self.pid, self.parent, self.comm = pid, parent, comm
        self.ops = []
        self.threads = 1


# --- strace ------------------------------------------------------------------

LINE = re.compile(r"^(\d+)\s+(?:\d\d:\d\d:\d\d(?:\.\d+)?\s+)?(.*)$")
CALL = re.compile(r"^([a-z_0-9]+)\((.*)$", re.S)
RESUMED = re.compile(r"^<\.\.\. ([a-z_0-9]+) resumed>(.*)$", re.S)
UNFINISHED = " <unfinished ...>"
# an fd as strace -y prints it: 3</path>, 4<pipe:[123]>; strace 6.1 puts
# a memfd's "(deleted)" after the closing bracket
FD_DECO = re.compile(r"(-?\d+)<((?:[^<>\\]|\\.)*)>(\(deleted\))?")
RET = re.compile(r"^(-?\d+|0x[0-9a-f]+|\?)(?:<((?:[^<>\\]|\\.)*)>(\(deleted\))?)?\s*(.*)$")

# calls that return a new fd, for when strace does not name it
FD_MAKERS = {"open", "openat", "openat2", "creat", "dup", "socket", "accept",
             "accept4", "eventfd", "eventfd2", "epoll_create",
             "epoll_create1", "memfd_create", "memfd_secret", "timerfd_create",
             "signalfd", "signalfd4", "inotify_init", "inotify_init1",
             "fanotify_init", "pidfd_open", "pidfd_getfd", "userfaultfd",
             "perf_event_open", "mq_open", "open_by_handle_at", "open_tree",
             "fsopen", "fsmount", "fspick", "io_uring_setup"}
# calls whose fd has close-on-exec whatever their flags say
ALWAYS_CLOEXEC = {"pidfd_open", "pidfd_getfd", "mq_open", "io_uring_setup", "bpf"}
CLONES = {"clone", "clone3", "fork", "vfork"}
# the fds of an SCM_RIGHTS message: their names hold brackets of their own
SCM_RIGHTS = re.compile(r"cmsg_type=SCM_RIGHTS, cmsg_data=\[((?:-?\d+(?:<(?:[^<>\\]|\\.)*>)?"
                        r"(?:\(deleted\))?(?:, )?)*)\]")


def unquote(s):
    """A C string as strace prints it ("abc\\n"...) without its quotes."""
    s = s.strip()
    truncated = s.endswith("...")
    if truncated:
        s = s[:-3]
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        s = s[1:-1]
    s = s.encode("latin-1", "backslashreplace").decode("unicode_escape")
    return s, truncated


def split_args(text):
    """The top-level arguments of a call's argument text, and the text
    after its closing parenthesis. Quotes, brackets and -y decorations
    (whose paths may hold any of those) are skipped over."""
    args, depth, cur, i, n = [], 0, [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c == "<" and cur and (cur[-1][-1:].isdigit() or "".join(cur).endswith("AT_FDCWD")):
            j = i + 1
            while j < n and text[j] != ">":
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append("".join(cur).strip())
                return [a for a in args if a], text[i + 1:]
            depth -= 1
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    args.append("".join(cur).strip())
    return [a for a in args if a], ""


def fd_arg(arg):
    """(fd, object or None) of an fd argument, or (None, None)."""
    m = FD_DECO.fullmatch(arg or "")
    if m:
        return int(m.group(1)), m.group(2)
    try:
        return int(arg), None
    except (TypeError, ValueError):
        return None, None


def flags_of(text):
    """A call's argument text without its strings and -y names, where a
    word such as CLOEXEC may be part of a path."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    text = re.sub(r"AT_FDCWD<(?:[^<>\\]|\\.)*>", "AT_FDCWD", text)
    return FD_DECO.sub(r"\1", text)


class Table:
    """An fd table: fd -> [object, close-on-exec]."""

    def __init__(self, fds=None):
        self.fds = {k: list(v) for k, v in (fds or {}).items()}

    def copy(self):
        return Table(self.fds)


class StraceReader:
    """Replays a strace -f -y log into per-process stories (by tgid)."""

    def __init__(self, root_fds):
        self.root_fds = root_fds
        self.procs = {}        # tgid -> Proc
        self.tgid = {}         # tid -> tgid
        self.table = {}        # tgid -> Table (shared with CLONE_FILES)
        self.pending = {}      # tid -> first half of an unfinished call
        self.waiting = {}      # tid not yet known -> its lines
        self.warnings = []

    def read(self, text):
        for raw in text.splitlines():
            m = LINE.match(raw)
            if not m:
                continue
            tid, rest = int(m.group(1)), m.group(2)
            if not self.tgid:
                self.tgid[tid] = tid
                self.procs[tid] = Proc(tid)
                self.table[tid] = Table(self.root_fds)
            if tid not in self.tgid:
                # a new task's lines can come before its parent's clone
                # returns (always so for vfork): held until it does
                self.waiting.setdefault(tid, []).append((rest, raw))
                continue
            self.line(tid, rest, raw)
        for tid in self.waiting:
            self.warnings.append(f"tid {tid}: no clone in the log made it")
        return self.procs

    def line(self, tid, rest, raw):
        if rest.startswith("+++") or rest.startswith("---"):
            if rest.startswith("+++ exited") or rest.startswith("+++ killed"):
                self.pending.pop(tid, None)
            m = re.match(r"\+\+\+ superseded by execve in pid (\d+)", rest)
            if m:
                # a thread's execve returns in the leader, which it became
                self.pending[tid] = self.pending.pop(int(m.group(1)), None)
            return
        if rest.endswith(UNFINISHED):
            m = CALL.match(rest[:-len(UNFINISHED)])
            if m:
                self.pending[tid] = (m.group(1), m.group(2), raw)
            return
        m = RESUMED.match(rest)
        if m:
            first = self.pending.pop(tid, None)
            if not first or first[0] != m.group(1):
                self.warnings.append(f"tid {tid}: a call resumed that never began: {raw}")
                return
            name, argtext, src = first[0], first[1] + m.group(2), first[2] + "\n" + raw
        else:
            m = CALL.match(rest)
            if not m:
                return
            name, argtext, src = m.group(1), m.group(2), raw
        args, after = split_args(argtext)
        r = RET.match(after.strip().lstrip("=").strip())
        if not r:
            return
        self.call(tid, name, args, r, src, argtext)

    def call(self, tid, name, args, r, src, argtext):
        pid = self.tgid[tid]
        proc, table = self.procs[pid], self.table[pid]
        ret, ret_obj = r.group(1), r.group(2)
        failed = ret.startswith("-") or ret == "?"
        errno = r.group(4).split(" ")[0] if failed else ""
        flags = flags_of(argtext)
        for a in args:       # fds inherited from outside the log
            fd, obj = fd_arg(a)
            if fd is not None and fd >= 0 and obj is not None and fd not in table.fds:
                self.warnings.append(f"pid {pid}: fd {fd} ({obj}) was open, and nothing "
                                     f"in the log opened it: {src}")
                table.fds[fd] = [obj, False]

        def new(fd, kind, obj, cloexec):
            proc.ops.append(Op("new", fd, kind, obj, cloexec, src=src))
            table.fds[fd] = [obj, cloexec]

        def close(fd, how, obj=None):
            known = table.fds.pop(fd, None)
            if obj is None and known:
                obj = known[0]
            proc.ops.append(Op("close", fd, obj=obj, how=how, src=src))

        if name == "close":
            fd, obj = fd_arg(args[0] if args else None)
            # a close of an open fd removes it whatever it returns (the
            # error is the file's flush); only EBADF means it was not open
            if fd is not None and (not failed or (errno not in ("EBADF", "") and fd in table.fds)):
                close(fd, "close", obj)
            return
        if failed:
            return
        if name in ("execve", "execveat"):
            path, _ = unquote(args[0 if name == "execve" else 1]) if args else ("", False)
            proc.comm = comm_after_exec(proc, path)
            proc.ops.append(Op("exec", path=path, src=src))
            # exec gives the process a table of its own (it stops sharing
            # one with CLONE_FILES), then drops every close-on-exec fd
            table = self.table[pid] = table.copy()
            for fd in sorted(table.fds):
                if table.fds[fd][1]:
                    close(fd, "exec")
            return
        if name in CLONES:
            self.clone(tid, pid, int(ret), argtext, name, src)
            return
        if name == "unshare" and "CLONE_FILES" in flags:
            self.table[pid] = table.copy()
            return
        if name == "close_range":
            first = fd_arg(args[0])[0]
            last = fd_arg(args[1])[0] if len(args) > 1 else None
            if last is None or last < 0:
                last = 1 << 32
            if "CLOSE_RANGE_UNSHARE" in flags:
                table = self.table[pid] = table.copy()
            for fd in sorted(table.fds):
                if first <= fd <= last:
                    if "CLOSE_RANGE_CLOEXEC" in flags:
                        table.fds[fd][1] = True
                        proc.ops.append(Op("cloexec", fd, cloexec=True, src=src))
                    else:
                        close(fd, "close_range")
            return
        if name in ("dup2", "dup3"):
            old, _ = fd_arg(args[0])
            newfd, newobj = fd_arg(args[1])
            if old == newfd:     # dup2(fd, fd): the table is as it was
                return
            # strace decodes arguments at entry: a named newfd was open
            if newobj is not None or newfd in table.fds:
                close(newfd, "dup2", newobj)
            new(newfd, "dup", ret_obj, "O_CLOEXEC" in flags)
            return
        if name == "fcntl":
            cmd = args[1] if len(args) > 1 else ""
            fd, _ = fd_arg(args[0])
            if cmd in ("F_DUPFD", "F_DUPFD_CLOEXEC"):
                new(int(ret), "fcntl", ret_obj, cmd == "F_DUPFD_CLOEXEC")
            elif cmd == "F_SETFD":
                on = "FD_CLOEXEC" in args[2] or bool(_int(args[2]) & 1)
                if fd in table.fds:
                    table.fds[fd][1] = on
                proc.ops.append(Op("cloexec", fd, cloexec=on, src=src))
            return
        if name == "ioctl" and len(args) > 1 and args[1] in ("FIOCLEX", "FIONCLEX"):
            fd, _ = fd_arg(args[0])
            on = args[1] == "FIOCLEX"
            if fd in table.fds:
                table.fds[fd][1] = on
            proc.ops.append(Op("cloexec", fd, cloexec=on, src=src))
            return
        if name in ("pipe", "pipe2", "socketpair"):
            pair = FD_DECO.findall(args[-1 if name == "socketpair" else 0])
            for fd, obj, _ in pair:
                new(int(fd), KIND_OF_CALL[name], obj, "CLOEXEC" in flags)
            return
        if name in ("recvmsg", "recvmmsg"):
            for cm in SCM_RIGHTS.finditer(argtext):
                for fd, obj, _ in FD_DECO.findall(cm.group(1)):
                    new(int(fd), "recvfd", obj, "MSG_CMSG_CLOEXEC" in flags)
            return
        if name in ("signalfd", "signalfd4") and args and fd_arg(args[0])[0] != -1:
            return               # signalfd(fd, ...) changes an fd it had
        if ret_obj is not None or name in FD_MAKERS:
            fd = _int(ret)
            obj = ret_obj + (r.group(3) or "") if ret_obj is not None else None
            cloexec = "CLOEXEC" in flags or name in ALWAYS_CLOEXEC
            new(fd, KIND_OF_CALL.get(name, name), obj, cloexec)

    def clone(self, tid, pid, child, argtext, name, src):
        m = re.search(r"flags=([A-Z_0-9|]+)", argtext)
        flags = m.group(1).split("|") if m and name in ("clone", "clone3") else []
        proc = self.procs[pid]
        if "CLONE_THREAD" in flags:
            self.tgid[child] = pid
            proc.threads += 1
        else:
            self.tgid[child] = child
            self.procs[child] = Proc(child, parent=pid, comm=proc.comm.rsplit(">", 1)[-1])
            shared = "CLONE_FILES" in flags
            self.table[child] = self.table[pid] if shared else self.table[pid].copy()
            proc.ops.append(Op("fork", child=child, src=src))
        for rest, raw in self.waiting.pop(child, []):
            self.line(child, rest, raw)


def _int(s):
    try:
        return int(s, 0)
    except (TypeError, ValueError):
        return 0


def strace_stories(text, root_fds):
    """{tgid: Proc} from a strace -f -y log; root_fds {fd: object} are the
    fds the first process had before its first line (not close-on-exec)."""
    r = StraceReader({fd: [obj, False] for fd, obj in root_fds.items()})
    procs = r.read(text)
    return procs, r.warnings


# --- ipcscope ----------------------------------------------------------------

def ipcscope_stories(lines, root):
    """{tgid: Proc} from ipcscope's JSON lines of `ipcscope --json --
    strace ... -- CMD`. strace is the first process to exec; its own fd
    table, and that of its helper children, are no part of the story, nor
    is the root's before its first exec (strace's own code, in the child
    it forked, before it hands over to the command)."""
    procs, strace_pid, ignored, exec_closes = {}, None, set(), {}
    for line in lines:
        if not line.strip():
            continue
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if not isinstance(e, dict):
            continue
        t, pid = e.get("type"), e.get("pid")
        if t == "summary":
            continue
        if strace_pid is None:
            if t != "exec":
                continue
            strace_pid = pid
        if pid == strace_pid:
            if t == "fork" and e["child"] != root:
                ignored.add(e["child"])
            continue
        if pid in ignored:
            continue
        if pid not in procs:
            if pid == root and t != "exec":
                continue
            procs[pid] = Proc(pid)
        proc = procs[pid]
        src = line.strip()
        if t == "fork":
            procs[e["child"]] = Proc(e["child"], parent=pid, comm=proc.comm.rsplit(">", 1)[-1])
            proc.ops.append(Op("fork", child=e["child"], src=src))
        elif t == "exec":
            proc.comm = comm_after_exec(proc, e.get("filename") or e.get("comm", ""))
            proc.ops.append(Op("exec", path=e.get("filename"), src=src))
            exec_closes[pid] = len(proc.ops)
        elif t == "close":
            how = e.get("implicit", "close")
            proc.ops.append(Op("close", e["fd"], obj=e.get("object"), how=how, src=src))
        elif t == "fcntl" and "oldfd" not in e:
            proc.ops.append(Op("cloexec", e["fd"], cloexec=e.get("cloexec"), src=src))
        elif t not in NOT_TABLE and "fd" in e:
            proc.ops.append(Op("new", e["fd"], t, e.get("object"), e.get("cloexec"), src=src))
    return procs, strace_pid


# --- comparing ---------------------------------------------------------------

def canonical(proc):
    """The ops in the order they are compared in. exec drops its
    close-on-exec fds in one step: their order among themselves is no
    story, so both sides list them by fd. Threads of one process run
    their calls at once, and strace logs them in the order it handled
    their stops, not the order the kernel did them: for a process that had
    threads, each fd's own sequence is compared (fork and exec apart)."""
    ops, out, i = proc.ops, [], 0
    while i < len(ops):
        out.append(ops[i])
        i += 1
        if out[-1].what == "exec":
            j = i
            while j < len(ops) and ops[j].what == "close" and ops[j].how == "exec":
                j += 1
            out += sorted(ops[i:j], key=lambda o: o.fd)
            i = j
    if proc.threads > 1:
        out = sorted(out, key=lambda o: -1 if o.fd is None else o.fd)
    return out


def clip(s, n=220):
    s = s.replace("\n", " | ")
    return s if len(s) <= n else s[:n] + "…"


def same_kind(theirs, ours):
    """Whether ipcscope names the call that made an fd as the README's
    table does. A call the table does not name (eventfd2, memfd_create,
    ...) may be told under any type: the contract has none for it yet."""
    if theirs.what != "new" or theirs.kind not in KNOWN_KINDS:
        return True
    return theirs.kind == ours.kind


def differences(theirs, ours):
    """(i1, i2, j1, j2) blocks where the stories differ: theirs[i1:i2]
    against ours[j1:j2]."""
    a, b = [o.key() for o in theirs], [o.key() for o in ours]
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            out.append((i1, i2, j1, j2))
            continue
        for k in range(i2 - i1):
            if not same_kind(theirs[i1 + k], ours[j1 + k]):
                out.append((i1 + k, i1 + k + 1, j1 + k, j1 + k + 1))
    return out


def diff_proc(pid, role, theirs, ours, context=2, limit=None):
    """Both sides of every difference in one process's story, or []; at
    most limit differing steps are shown, and how many more there are."""
    blocks = differences(theirs, ours)
    if not blocks:
        return []
    out = [f"pid {pid} ({role}): strace and ipcscope disagree"]
    shown = hidden = 0

    def side(who, o):
        nonlocal shown, hidden
        if limit is not None and shown >= limit:
            hidden += 1
            return
        shown += 1
        out.append(f"  {'-' if who == 'strace' else '+'} {who + ':':10}{o.text()}")
        out.append(f"        {clip(o.src)}")

    for i1, i2, j1, j2 in blocks:
        if limit is None or shown < limit:
            for o in theirs[max(0, i1 - context):i1]:
                out.append(f"    = {o.text()}")
        if i2 - i1 == j2 - j1:
            # one step each side: shown in pairs, each next to the other
            for t, o in zip(theirs[i1:i2], ours[j1:j2]):
                side("strace", t)
                side("ipcscope", o)
            continue
        for o in theirs[i1:i2]:
            side("strace", o)
        for o in ours[j1:j2]:
            side("ipcscope", o)
        if limit is None or shown < limit:
            if i1 == i2:
                out.append("  - strace:   (nothing)")
            if j1 == j2:
                out.append("  + ipcscope: (nothing)")
    if hidden:
        out.append(f"  ... and {hidden} more differing steps")
    return out


def compare(strace_text, json_lines, root_fds, limit=None):
    """Every disagreement between the two stories of one run, as a list of
    readable lines (empty when they agree), and the strace-side warnings
    (fds the log used but never opened: the comparator's own doubt)."""
    theirs, warnings = strace_stories(strace_text, root_fds)
    if not theirs:
        return ["the strace log has no process"], warnings
    root = next(iter(theirs))
    ours, _ = ipcscope_stories(json_lines, root)
    out = []
    for pid in sorted(set(theirs) | set(ours)):
        t, o = theirs.get(pid), ours.get(pid)
        if t and o:
            o.threads = t.threads
        src = t or o
        role = f"{src.comm or '?'}, " + ("the command" if pid == root else
                                         f"child of {src.parent or '?'}")
        if not t:
            role += ", not in the strace log"
        if not o:
            role += ", not in ipcscope's events"
        out += diff_proc(pid, role, canonical(t or Proc(pid)), canonical(o or Proc(pid)),
                         limit=limit)
    return out, warnings


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        strace_text = f.read()
    with open(argv[2], encoding="utf-8") as f:
        lines = f.read().splitlines()
    out, warnings = compare(strace_text, lines, {0: None, 1: None, 2: None})
    for w in warnings:
        print("warning:", w)
    print("\n".join(out) if out else "the stories agree")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
