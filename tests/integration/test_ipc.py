"""Every IPC mechanism (issue 3): SysV message queues and shared memory,
POSIX message queues, unix and TCP sockets (IPv4 and IPv6) with both ends,
socketpairs, SCM_RIGHTS, signals, shared mappings and munmap, and the
snapshot of SysV objects, queues, sockets and mappings. Each test
runs a small deterministic program from tests/progs/ipc_*.c under the real
tracer and asserts the exact events and objects it reports."""
import json
import os
import re
import socket
import subprocess
import time

from harness import (IPCSCOPE, ROOT, Skip, check, eq, of, one, proc_fds, prog,
                     rmtree, run_ipcscope, snapshot, tempdir, test)


def trace_to_file(argv=None, options=(), timeout=30, expect_rc=0):
    """Runs `ipcscope --json -o FILE [options] [-- argv]` with the traced
    program's stdout going to a regular file (writes to a file are no
    events, so its printing adds none). Returns (events, summary, stdout
    text). The summary must say nothing was lost."""
    d = tempdir()
    try:
        out = os.path.join(d, "trace.json")
        cmd = [IPCSCOPE, "--json", "-o", out, *options]
        if argv:
            cmd += ["--", *argv]
        with open(os.path.join(d, "stdout"), "wb") as so:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=so,
                               stderr=subprocess.PIPE, timeout=timeout, cwd=ROOT)
        with open(os.path.join(d, "stdout"), encoding="utf-8",
                  errors="replace") as f:
            text = f.read()
        try:
            with open(out, encoding="utf-8") as f:
                events = [json.loads(line) for line in f.read().splitlines()]
        except FileNotFoundError:
            events = []
        what = f"{' '.join(cmd)} (stderr {p.stderr.decode()!r}, stdout {text!r})"
        check(events and events[-1].get("type") == "summary", f"no summary line: {what}")
        if expect_rc is not None:
            eq(p.returncode, expect_rc, f"exit status of {what}")
        summary = events[-1]
        eq(summary["lost"], 0, "lost events")
        eq(summary["bad_records"], 0, "bad records")
        return events[:-1], summary, text
    finally:
        rmtree(d)


def fields(text, key):
    """The words after KEY on the first line of text that has KEY."""
    for line in text.splitlines():
        words = line.split()
        if key in words:
            return words[words.index(key) + 1:]
    raise AssertionError(f"no '{key}' in the program's output {text!r}")


def value(text, key):
    return int(fields(text, key)[0])


def sock(ino):
    return f"socket:[{ino}]"


def main_pid(events):
    """The traced command's pid: the first exec."""
    return of(events, "exec")[0]["pid"]


# --- SysV message queues ------------------------------------------------------

@test
def msgqueue_types_and_blocking():
    events, _, out = trace_to_file([prog("ipc_msg")])
    qid, child = value(out, "msqid"), value(out, "child")
    parent = main_pid(events)
    eq(one(events, "fork", pid=parent)["child"], child, "the child")
    obj = f"msg:[{qid}]"
    with open("/proc/sys/kernel/msgmnb") as f:
        msgmnb = int(f.read())

    g = one(events, "msgget")
    eq((g["pid"], g["object"], g["id"], g["key"]), (parent, obj, qid, 0),
       "msgget: object msg:[ID], IPC_PRIVATE key")

    sends = of(events, "msgsnd")
    eq([(e["pid"], e["object"], e["bytes"], e["mtype"], e["qnum"], e["cbytes"],
         e["blocked"]) for e in sends],
       [(parent, obj, 3, 1, 1, 3, False),
        (parent, obj, 8, 2, 2, 11, False),
        # the child is waiting for type 3: the kernel hands the message
        # straight to it, it is never queued
        (parent, obj, 4, 3, 0, 0, False)],
       "msgsnd: bytes, mtype, and the queue's depth after each")
    for e in sends:
        eq(e["qbytes"], msgmnb, "qbytes: the queue's limit (kernel.msgmnb)")

    rcvs = of(events, "msgrcv")
    eq([(e["pid"], e["object"], e["bytes"], e["mtype"], e["qnum"], e["cbytes"],
         e["blocked"]) for e in rcvs],
       [(child, obj, 8, 2, 1, 3, False),
        (child, obj, 3, 1, 0, 0, False),
        (child, obj, 4, 3, 0, 0, True)],
       "msgrcv: picks type 2 first, then 1; waits for type 3")
    check(rcvs[2].get("waited_ns", 0) > 0, f"a blocked msgrcv says how long: {rcvs[2]}")
    check(rcvs[2]["ts"] > sends[2]["ts"], "the blocked msgrcv ends after the msgsnd")
    check("waited_ns" not in rcvs[0], "no waited_ns when it did not block")

    ctl = one(events, "msgctl")
    eq((ctl["pid"], ctl["object"], ctl["id"], ctl["cmd"]),
       (parent, obj, qid, "IPC_RMID"), "msgctl IPC_RMID")
    check(ctl["ts"] > rcvs[2]["ts"], "removed last")
    eq(one(events, "exit", pid=child)["code"], 0, "child exit code")


# --- SysV semaphores ------------------------------------------------------------

def ipcs_sems(semid):
    """`ipcs -s -i ID`: (value, ncount, zcount) of each semaphore of the
    set, as the kernel counts them (ncount: sleepers waiting for it to
    grow)."""
    try:
        out = subprocess.run(["ipcs", "-s", "-i", str(semid)], check=True,
                             capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise Skip("no ipcs (util-linux) to hold the values to")
    rows = [line.split() for line in out.splitlines()]
    return [tuple(int(x) for x in r[1:4]) for r in rows
            if len(r) == 5 and all(x.isdigit() for x in r)]


def wait_for_line(path, key, p, timeout=20):
    """The first line of file path holding the word key, once there; the
    program p must still be running meanwhile."""
    end = time.time() + timeout
    while True:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f.read().splitlines():
                if key in line.split():
                    return line
        check(p.poll() is None, f"ipcscope ended before '{key}' (rc {p.returncode})")
        check(time.time() < end, f"no '{key}' line in {timeout} s")
        time.sleep(0.01)


@test
def semaphore_values_and_a_blocked_semop():
    """The values a set holds after every sem call, and the semaphore a
    sleeper waits on, against the kernel: ipcs (GETALL, GETNCNT) and
    /proc/PID/syscall while the child sleeps; a snapshot taken then by a
    second tracer names the same semaphore (from the kernel's wait queue:
    the call began before that tracer)."""
    d = tempdir()
    try:
        out, so_path = os.path.join(d, "trace.json"), os.path.join(d, "stdout")
        with open(so_path, "wb") as so:
            p = subprocess.Popen([IPCSCOPE, "--json", "-o", out, "--",
                                  prog("ipc_sem")], stdin=subprocess.PIPE,
                                 stdout=so, stderr=subprocess.PIPE, cwd=ROOT)
        try:
            line = wait_for_line(so_path, "semid", p)
            semid, child = value(line, "semid"), value(line, "child")
            told = [int(x) for x in fields(line, "values")]
            with open(f"/proc/{child}/syscall") as f:
                sysc = f.read().split()
            with open(f"/proc/{child}/wchan") as f:
                wchan = f.read()
            sems = ipcs_sems(semid)
            snap = snapshot([child])
            after = ipcs_sems(semid)
        finally:
            p.stdin.write(b"go\n")
            p.stdin.close()
            p.wait(timeout=30)
        err = p.stderr.read().decode()
        p.stderr.close()
        eq(p.returncode, 0, f"exit status of ipc_sem under ipcscope ({err!r})")
        with open(out, encoding="utf-8") as f:
            events = [json.loads(x) for x in f.read().splitlines()]
    finally:
        rmtree(d)

    # the kernel's view while the child sleeps
    check(sysc[0] in ("65", "220") and int(sysc[1], 16) == semid,
          f"/proc/{child}/syscall: semop/semtimedop on {semid}: {sysc}")
    check("semtimedop" in wchan, f"/proc/{child}/wchan: {wchan!r}")
    eq(sems, after, "nothing changed while the snapshot was taken")
    eq([v for v, _, _ in sems], told, "ipcs and the program's GETALL agree")
    eq(told, [2, 0, 5], "the values the program set")
    waited = [i for i, (_, ncount, _) in enumerate(sems) if ncount]
    eq(waited, [1], "ipcs: one sleeper, waiting for semaphore #1 to grow")

    obj = f"sem:[{semid}]"
    objs = {o["name"]: o for o in snap["objects"]}
    check(obj in objs, f"the snapshot lists {obj}")
    eq(objs[obj].get("semvals"), told, f"{obj}'s values in the snapshot")
    procs = {x["pid"]: x for x in snap["processes"]}
    check(child in procs, "the sleeper is in the snapshot")
    eq(procs[child].get("wait"),
       {"syscall": "semop", "id": semid, "sem_num": waited[0], "sem_op": -1},
       "the snapshot: the child sleeps in semop on semaphore #1, asking -1")

    # the events: the values after each call, read in the kernel
    parent = main_pid(events)
    sem = [e for e in events if e["type"] in ("semget", "semop", "semctl")]
    seen = [(e["type"], e["pid"], e.get("cmd"), e.get("sem_num"), e.get("sem_op"),
             e.get("blocked"), e.get("semvals")) for e in sem]
    # the woken child and the parent leave semop at about the same time:
    # either may be told first
    seen[5:7] = sorted(seen[5:7], key=lambda t: t[1] != parent)
    eq(seen,
       [("semget", parent, None, None, None, None, [0, 0, 0]),
        ("semctl", parent, "SETALL", None, None, None, [3, 0, 1]),
        ("semop", parent, None, 0, -1, False, [2, 0, 1]),
        ("semctl", parent, "SETVAL", None, None, None, [2, 0, 5]),
        ("semctl", parent, "GETALL", None, None, None, [2, 0, 5]),
        # the parent's V(#1) hands the unit straight to the sleeper: the
        # kernel applies the child's op before the parent's call returns
        ("semop", parent, None, 1, 1, False, [2, 0, 5]),
        ("semop", child, None, 1, -1, True, [2, 0, 5]),
        ("semctl", parent, "IPC_RMID", None, None, None, None)],
       "sem calls: who, what, and the set's values after each")
    for e in sem:
        eq(e["object"], obj, "every sem event names the set")


# --- SysV shared memory ---------------------------------------------------------

@test
def shm_written_by_child_read_by_parent():
    events, _, out = trace_to_file([prog("ipc_shm")])
    shmid, child = value(out, "shmid"), value(out, "child")
    paddr, caddr = value(out, "parent-addr"), value(out, "child-addr")
    parent = main_pid(events)
    obj = f"shm:[{shmid}]"

    g = one(events, "shmget")
    eq((g["pid"], g["object"], g["id"], g["bytes"], g["key"]),
       (parent, obj, shmid, 6000, 0), "shmget: object shm:[ID], bytes = size")

    ats = of(events, "shmat")
    eq([(e["pid"], e["object"], e["addr"], e["nattch"], e["rmid_pending"])
        for e in ats],
       [(parent, obj, paddr, 1, False),
        # the parent's, the one the child inherited with fork, its own
        (child, obj, caddr, 3, False)],
       "shmat in the parent, then in the child after fork")
    check(ats[1]["ts"] > one(events, "fork", pid=parent)["ts"], "child attaches after fork")

    dts = of(events, "shmdt")
    eq([(e["pid"], e.get("object"), e.get("id"), e["addr"]) for e in dts],
       [(child, obj, shmid, caddr), (parent, obj, shmid, paddr)],
       "shmdt: the child's own attachment, then the parent's; the kernel "
       "names the segment (found at entry, before the mapping goes)")
    eq((dts[0]["nattch"], dts[0]["rmid_pending"]), (2, False),
       "the child's shmdt: its inherited attachment and the parent's are left")
    eq((dts[1]["nattch"], dts[1].get("destroyed")), (0, True),
       "the parent's shmdt after IPC_RMID: the last detach destroys the segment")

    ctls = of(events, "shmctl")
    eq([(e["pid"], e["object"], e["cmd"]) for e in ctls],
       [(parent, obj, "IPC_STAT"), (parent, obj, "IPC_RMID")], "shmctl calls")
    # after the child exited only the parent's attachment is left
    eq((ctls[0]["nattch"], ctls[0]["rmid_pending"]), (1, False),
       "IPC_STAT after the child's exit: exit detached its inherited copy")
    eq((ctls[1]["nattch"], ctls[1]["rmid_pending"]), (1, True),
       "IPC_RMID while attached: removal pending")
    check(ctls[0]["ts"] > one(events, "exit", pid=child)["ts"], "stat after the child's exit")
    check(dts[1]["ts"] > ctls[1]["ts"], "the last shmdt comes after IPC_RMID")


# --- sockets ----------------------------------------------------------------------

def data_of(events, type_, pid, obj):
    return [e for e in of(events, type_, pid=pid) if e["object"] == obj]


def check_socket_data(events):
    for e in of(events, "write") + of(events, "read"):
        if e["object"].startswith("socket:"):
            eq(e["kind"], "socket", "kind of a socket's data event")
            eq(e["syscall"], e["type"], "write()/read() syscalls")


def check_unix_conversation(events, server, client, accepted, client_obj):
    """The server greets ("hello", 5 bytes), the client answers ("ping", 4
    bytes), the server says "bye" (3 bytes) and closes; the client reads
    "bye" only after that close. Each side's peer is the other side's
    object, also for the last message, whose writer is gone by then."""
    w = data_of(events, "write", server, accepted)
    eq([(e["bytes"], e.get("peer")) for e in w], [(5, client_obj), (3, client_obj)],
       "server writes hello and bye; its peer is the client's socket")
    r = data_of(events, "read", server, accepted)
    eq([(e["bytes"], e.get("peer")) for e in r], [(4, client_obj)],
       "server reads ping; its peer is the client's socket")
    w = data_of(events, "write", client, client_obj)
    eq([(e["bytes"], e.get("peer")) for e in w], [(4, accepted)],
       "client writes ping; its peer is the accepted socket")
    r = data_of(events, "read", client, client_obj)
    eq([e["bytes"] for e in r], [5, 3, 0], "client reads hello, bye, then EOF")
    eq(r[0].get("peer"), accepted, "client reads hello: its peer is the accepted socket")
    close = one(events, "close", pid=server, object=accepted)
    eq((close["fd"], close["refs"]), (4, 0), "the server closes the accepted socket")
    check(r[1]["ts"] > close["ts"], "bye is read after the server's close")
    eq(r[1].get("peer"), accepted,
       "client reads bye after the server closed: its peer is still the socket that sent it")
    check_socket_data(events)


def check_tcp_conversation(events, server, client, accepted, client_obj):
    """hello (5 bytes) from the server, ping (4) from the client, which
    then shuts down writing; the server reads EOF, sends bye (3) and shuts
    down too; the client reads bye once the connection is closed both ways
    (both sockets still open). Each side's peer is the other's object."""
    w = data_of(events, "write", server, accepted)
    eq([(e["bytes"], e.get("peer")) for e in w], [(5, client_obj), (3, client_obj)],
       "server writes hello and bye; its peer is the client's socket")
    r = data_of(events, "read", server, accepted)
    eq([e["bytes"] for e in r], [4, 0], "server reads ping, then EOF")
    eq(r[0].get("peer"), client_obj, "server reads ping; its peer is the client's socket")
    w = data_of(events, "write", client, client_obj)
    eq([(e["bytes"], e.get("peer")) for e in w], [(4, accepted)],
       "client writes ping; its peer is the accepted socket")
    r = data_of(events, "read", client, client_obj)
    eq([e["bytes"] for e in r], [5, 3, 0], "client reads hello, bye, then EOF")
    eq(r[0].get("peer"), accepted, "client reads hello: its peer is the accepted socket")
    closes = of(events, "close", object=accepted)
    check(all(e["ts"] > r[1]["ts"] for e in closes), "the server's socket is open when bye is read")
    eq(r[1].get("peer"), accepted,
       "client reads bye after both sides shut down (its socket in TIME_WAIT): "
       "its peer is the accepted socket, still open")
    check_socket_data(events)


def check_server_setup(events, server, client, lobj, cobj, aobj, address,
                       bind_address=None):
    s = of(events, "socket")
    eq([(e["pid"], e["fd"], e["object"], e["refs"], e["kind"]) for e in s],
       [(server, 3, lobj, 1, "socket"), (client, 3, cobj, 1, "socket")],
       "socket(): the server's, then the client's (after closing the copy)")
    lfile, cfile = s[0]["file"], s[1]["file"]
    b = one(events, "bind")
    eq((b["pid"], b["fd"], b["file"], b["object"], b["address"]),
       (server, 3, lfile, lobj, bind_address or address), "bind")
    li = one(events, "listen")
    eq((li["pid"], li["fd"], li["file"], li["object"], li["backlog"]),
       (server, 3, lfile, lobj, 4), "listen")
    c = one(events, "connect")
    eq((c["pid"], c["fd"], c["file"], c["object"], c["address"]),
       (client, 3, cfile, cobj, address), "connect")
    check("result" not in c, f"connect succeeded: {c}")
    a = one(events, "accept")
    eq((a["pid"], a["fd"], a["object"], a["refs"], a["kind"]),
       (server, 4, aobj, 1, "socket"), "accept: a new fd for a new socket")
    check(a["file"] not in (lfile, cfile), "accept makes a new open-file entry")
    # the client is forked after listen(); accept() may return before the
    # client's connect() does
    check(c["ts"] > li["ts"] > b["ts"] and a["ts"] > li["ts"],
          "bind, listen, then connect and accept")


@test(quick=True)
def unix_socket_client_server():
    d = tempdir()
    try:
        path = os.path.join(d, "socket")
        events, _, out = trace_to_file([prog("ipc_unix"), path])
        server = main_pid(events)
        client = value(out, "client")
        lobj, aobj = sock(value(out, "listen-ino")), sock(value(out, "accepted-ino"))
        cobj = sock(value(out, "client-ino"))
        check_server_setup(events, server, client, lobj, cobj, aobj, path)
        check_unix_conversation(events, server, client, aobj, cobj)
    finally:
        rmtree(d)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@test
def tcp_loopback_connection():
    for _ in range(3):
        port = free_port()
        events, summary, out = trace_to_file([prog("ipc_tcp"), str(port)],
                                             expect_rc=None)
        if summary.get("exit_status") != 4:  # 4: somebody took the port
            break
    eq(summary.get("exit_status"), 0, f"ipc_tcp exit status (output {out!r})")
    server = main_pid(events)
    client = value(out, "client")
    lobj, aobj = sock(value(out, "listen-ino")), sock(value(out, "accepted-ino"))
    cobj = sock(value(out, "client-ino"))
    address = f"127.0.0.1:{port}"
    check_server_setup(events, server, client, lobj, cobj, aobj, address)
    check_tcp_conversation(events, server, client, aobj, cobj)


@test(quick=True)
def socketpair_ping_pong():
    events, _, out = trace_to_file([prog("ipc_socketpair")])
    parent, child = main_pid(events), value(out, "child")
    o0, o1 = sock(value(out, "sv0-ino")), sock(value(out, "sv1-ino"))
    sp = of(events, "socketpair")
    eq([(e["pid"], e["fd"], e["object"], e["kind"], e["refs"]) for e in sp],
       [(parent, 3, o0, "socket", 1), (parent, 4, o1, "socket", 1)],
       "socketpair: one event per end")
    f0, f1 = sp[0]["file"], sp[1]["file"]
    check(f0 != f1, "two open-file entries")
    eq(one(events, "fork", pid=parent)["child"], child, "the child")
    # each side closes the other's end, which the other still holds
    eq([(e["fd"], e["file"], e["refs"]) for e in of(events, "close", pid=parent)
        if e["file"] in (f0, f1)], [(4, f1, 1), (3, f0, 0)],
       "parent closes fd 4 (refs 2 -> 1), and at the end its own fd 3 (-> 0)")
    eq([(e["fd"], e["file"], e["refs"]) for e in of(events, "close", pid=child)
        if e["file"] in (f0, f1)], [(3, f0, 1)], "child closes fd 3: refs 2 -> 1")

    def data(type_, pid):
        return [(e["fd"], e["file"], e["object"], e["bytes"], e.get("peer"))
                for e in of(events, type_, pid=pid) if e["file"] in (f0, f1)]
    eq(data("write", parent), [(3, f0, o0, 5, o1)] * 2, "parent's pings: peer is the child's end")
    eq(data("read", child)[:2], [(4, f1, o1, 5, o0)] * 2, "child reads them: peer is the parent's end")
    eq([d[3] for d in data("read", child)], [5, 5, 0], "then EOF once the parent closed")
    eq(data("write", child), [(4, f1, o1, 5, o0)] * 2, "child's pongs")
    eq(data("read", parent), [(3, f0, o0, 5, o1)] * 2, "parent reads them")


@test
def abstract_unix_socket():
    events, _, out = trace_to_file([prog("ipc_abstract")])
    parent, child = main_pid(events), value(out, "child")
    name = fields(out, "name")[0]
    eq(name, f"@ipcscope-test-abstract-{parent}", "the program's name")
    b = one(events, "bind")
    eq((b["pid"], b["fd"], b["address"]), (parent, 3, name),
       "bind: an abstract name is shown with a leading @")
    check(b["address"].startswith("@"), "abstract address starts with @")
    c = one(events, "connect")
    eq((c["pid"], c["fd"], c["address"]), (child, 3, name), "connect to the abstract name")
    server, client = b["object"], c["object"]
    check(server != client, "two sockets")
    w = one(events, "write", pid=child)
    eq((w["fd"], w["object"], w["bytes"], w["syscall"], w.get("peer")),
       (3, client, 4, "sendto", server), "the client's datagram: peer is the server")
    r = one(events, "read", pid=parent, kind="socket")
    eq((r["fd"], r["object"], r["bytes"], r["syscall"], r.get("peer")),
       (3, server, 4, "recvfrom", client), "the server receives it: peer is the client")


@test
def scm_rights_passes_a_pipe_end():
    events, _, out = trace_to_file([prog("ipc_scm")])
    parent, child = main_pid(events), value(out, "child")
    rfd = value(out, "fd")
    eq(rfd, 3, "the received fd")
    sp = of(events, "socketpair", pid=parent)
    eq([e["fd"] for e in sp], [3, 4], "socketpair fds")
    pipes = of(events, "pipe", pid=parent)
    eq([(e["fd"], e["mode"]) for e in pipes], [(4, "r"), (5, "w")],
       "the pipe, made after the fork")
    check(pipes[0]["ts"] > one(events, "fork", pid=parent)["ts"], "pipe after fork")
    rd = pipes[0]

    sent = one(events, "write", pid=parent, syscall="sendmsg")
    eq((sent["fd"], sent["object"], sent["bytes"], sent.get("peer")),
       (3, sp[0]["object"], 1, sp[1]["object"]), "sendmsg of one byte and the fd")
    got = one(events, "read", pid=child, syscall="recvmsg")
    eq((got["fd"], got["object"], got["bytes"], got.get("peer")),
       (4, sp[1]["object"], 1, sp[0]["object"]), "recvmsg of that byte")

    r = one(events, "recvfd")
    eq((r["pid"], r["fd"], r["file"], r["object"], r["kind"], r["mode"]),
       (child, rfd, rd["file"], rd["object"], "pipe", "r"),
       "the received fd is the sender's open-file entry")
    eq(r["refs"], 2, "refs: the sender's fd 4 and the receiver's fd 3")
    reads = of(events, "read", pid=child, object=rd["object"])
    eq([(e["fd"], e["file"], e["bytes"]) for e in reads],
       [(rfd, rd["file"], 7), (rfd, rd["file"], 0)],
       "the child reads the parent's bytes through the passed entry, then EOF")
    eq([e["refs"] for e in of(events, "close", file=rd["file"])], [0],
       "the parent's close after the child's exit frees it")


# --- signals ------------------------------------------------------------------------

@test
def sigpipe_kills_the_writer():
    events, _, out = trace_to_file([prog("ipc_sigpipe")])
    parent = main_pid(events)
    reader, writer = value(out, "reader"), value(out, "writer")
    eq([e["child"] for e in of(events, "fork", pid=parent)], [reader, writer], "two children")
    s = one(events, "signal", sig=13)
    eq((s["pid"], s["target"], s["signame"]), (writer, writer, "SIGPIPE"),
       "the writer's write raises SIGPIPE at the writer")
    x = one(events, "exit", pid=writer)
    eq((x.get("signal"), x.get("signame"), x.get("code")), (13, "SIGPIPE", None),
       "the writer is killed by SIGPIPE")
    check(x["ts"] > s["ts"], "the signal comes before the exit")
    eq(one(events, "exit", pid=reader)["code"], 0, "the reader exits 0")
    eq(one(events, "exit", pid=parent)["code"], 0, "the parent exits 0")
    eq([e["target"] for e in of(events, "signal", sig=17)], [parent, parent],
       "SIGCHLD to the parent for each child")


# --- shared mappings ------------------------------------------------------------------

@test
def shared_mapping_outlives_close():
    d = tempdir()
    try:
        path = os.path.join(d, "mapped")
        events, _, out = trace_to_file([prog("ipc_mmap"), path])
        addr = value(out, "addr")
        o = one(events, "open", object=path)
        eq((o["fd"], o["refs"], o["mode"]), (3, 1, "rw"), "open")
        m = one(events, "mmap")
        eq((m["pid"], m["fd"], m["file"], m["object"], m["bytes"], m["addr"]),
           (o["pid"], 3, o["file"], path, 8192, addr), "mmap of the file")
        eq(m["refs"], 2, "the mapping takes a reference of its own")
        c = one(events, "close", file=o["file"])
        eq((c["fd"], c["refs"]), (3, 1), "after close(fd) the mapping still holds the entry")
        u = one(events, "munmap")
        eq((u["pid"], u["file"], u["object"], u["kind"], u["addr"], u["bytes"], u["refs"]),
           (o["pid"], o["file"], path, "file", addr, 8192, 0),
           "munmap drops the mapping and with it the entry's last reference")
        check(u["ts"] > c["ts"], "munmap after close")
        with open(path, "rb") as f:
            eq(f.read(27), b"written through the mapping", "the write through the mapping")
    finally:
        rmtree(d)


@test
def munmap_splits_and_drops_a_mapping():
    """The model's count after each munmap (one reference per vma) agrees
    with the kernel's at the close in between."""
    d = tempdir()
    try:
        path = os.path.join(d, "mapped")
        events, _, out = trace_to_file([prog("ipc_munmap"), path])
        addr, page = value(out, "addr"), 4096
        o = one(events, "open", object=path)
        m = one(events, "mmap")
        eq((m["file"], m["bytes"], m["addr"], m["refs"]), (o["file"], 3 * page, addr, 2),
           "mmap of 3 pages")
        us = of(events, "munmap")
        eq([(e["file"], e["object"], e["addr"], e["bytes"], e["refs"]) for e in us],
           [(o["file"], path, addr + page, page, 3),
            (o["file"], path, addr, page, 1),
            (o["file"], path, addr + 2 * page, page, 0)],
           "a hole in the middle (two vmas: refs 3), then each end")
        c = one(events, "close", file=o["file"])
        eq((c["fd"], c["refs"]), (3, 2), "the kernel's count at close: the two vmas")
        check(us[0]["ts"] < c["ts"] < us[1]["ts"], "close between the munmaps")
    finally:
        rmtree(d)


# --- POSIX message queues ---------------------------------------------------------------

@test(quick=True)
def posix_mqueue_parent_child():
    events, _, out = trace_to_file([prog("ipc_mq")])
    parent, child = main_pid(events), value(out, "child")
    name = fields(out, "name")[0]
    eq(name, f"/ipcscope-test-mq-{parent}", "the queue's name")
    eq(one(events, "fork", pid=parent)["child"], child, "the child")

    opens = of(events, "mq_open")
    eq([(e["pid"], e["fd"], e["object"], e["kind"], e["mode"], e["refs"],
         e["curmsgs"], e["maxmsg"], e["msgsize"], e["qsize"]) for e in opens],
       [(parent, 3, name, "mq", "rw", 1, 0, 4, 32, 0),
        (child, 4, name, "mq", "w", 1, 0, 4, 32, 0)],
       "mq_open: an fd on an object named as /proc/PID/fd names it")
    check(all(e["cloexec"] for e in opens), "glibc opens queues close-on-exec")
    pfile, cfile = opens[0]["file"], opens[1]["file"]
    check(pfile != cfile, "each mq_open makes an open-file entry of its own")

    sends = of(events, "write", object=name)
    eq([(e["pid"], e["fd"], e["file"], e["bytes"], e["syscall"], e["curmsgs"],
         e["qsize"]) for e in sends],
       [(child, 4, cfile, 3, "mq_timedsend", 1, 3),
        (child, 4, cfile, 5, "mq_timedsend", 2, 8),
        (child, 4, cfile, 4, "mq_timedsend", 3, 12)],
       "the child's sends: the queue's depth after each, read in the kernel")
    recvs = of(events, "read", object=name)
    eq([(e["pid"], e["fd"], e["file"], e["bytes"], e["syscall"], e["curmsgs"],
         e["qsize"]) for e in recvs],
       [(parent, 3, pfile, 5, "mq_timedreceive", 2, 7),
        (parent, 3, pfile, 4, "mq_timedreceive", 1, 3),
        (parent, 3, pfile, 3, "mq_timedreceive", 0, 0)],
       "the parent receives the highest priority first")
    check(recvs[0]["ts"] > one(events, "exit", pid=child)["ts"],
          "the parent receives after the child's exit")
    eq([e["maxmsg"] for e in sends + recvs], [4] * 6, "maxmsg")

    u = one(events, "mq_unlink")
    eq((u["pid"], u["path"], u["object"]), (parent, name, f"{name} (deleted)"),
       "mq_unlink while open: the queue lives on, named as /proc then shows it")
    closes = of(events, "close", kind="mq")
    eq([(e["pid"], e["fd"], e["file"], e["refs"]) for e in closes],
       [(child, 4, cfile, 0), (parent, 3, pfile, 0)],
       "mq_close is a close; the parent's entry had refs 2 until the child's exit")
    eq(closes[1]["object"], f"{name} (deleted)", "the parent closes the unlinked queue")


# --- IPv6 -----------------------------------------------------------------------------

def free_port6():
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        s.bind(("::1", 0))
        return s.getsockname()[1]


def have_ipv6_loopback():
    try:
        free_port6()
        return True
    except OSError:
        return False


@test
def tcp_ipv6_loopback_connection():
    if not have_ipv6_loopback():
        raise Skip("no IPv6 loopback")
    for _ in range(3):
        port = free_port6()
        events, summary, out = trace_to_file([prog("ipc_tcp"), str(port), "6"],
                                             expect_rc=None)
        if summary.get("exit_status") != 4:  # 4: somebody took the port
            break
    eq(summary.get("exit_status"), 0, f"ipc_tcp exit status (output {out!r})")
    server = main_pid(events)
    client = value(out, "client")
    lobj, aobj = sock(value(out, "listen-ino")), sock(value(out, "accepted-ino"))
    cobj = sock(value(out, "client-ino"))
    check_server_setup(events, server, client, lobj, cobj, aobj, f"[::1]:{port}")
    check_tcp_conversation(events, server, client, aobj, cobj)


@test
def udp_ipv6_connected_pair():
    if not have_ipv6_loopback():
        raise Skip("no IPv6 loopback")
    events, _, out = trace_to_file([prog("ipc_udp6")])
    parent, child = main_pid(events), value(out, "child")
    a, b = sock(value(out, "a-ino")), sock(value(out, "b-ino"))
    aport, bport = value(out, "a-port"), value(out, "b-port")
    eq([(e["fd"], e["object"], e["address"]) for e in of(events, "bind")],
       [(3, a, f"[::1]:{aport}"), (4, b, f"[::1]:{bport}")],
       "bind: the address the kernel bound, with the port it chose for 0")
    eq([(e["fd"], e["object"], e["address"], e["peer"]) for e in of(events, "connect")],
       [(3, a, f"[::1]:{bport}", f"[::1]:{bport}"), (4, b, f"[::1]:{aport}", a)],
       "connect: a to b's address (b, not connected yet, is no peer); b to a's")

    def data(type_, pid):
        return [(e["fd"], e["object"], e["bytes"], e["syscall"], e.get("peer"))
                for e in of(events, type_, pid=pid) if e["object"] in (a, b)]
    eq(data("write", child), [(4, b, 4, "sendto", a)], "the child's ping: its peer is a")
    eq(data("read", parent), [(3, a, 4, "recvfrom", b)], "the parent receives it from b")
    eq(data("write", parent), [(3, a, 4, "sendto", b)], "the parent's pong")
    eq(data("read", child), [(4, b, 4, "recvfrom", a)], "the child receives it from a")

def sysv_ids(kind):
    with open(f"/proc/sysvipc/{kind}") as f:
        return {int(line.split()[1]) for line in f.read().splitlines()[1:] if line.strip()}


class IpcHolder:
    """A tests/progs/ipc_holder process; it removes its SysV objects when
    its stdin closes."""

    def __init__(self):
        self.p = subprocess.Popen([prog("ipc_holder")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, cwd=ROOT)
        line = self.p.stdout.readline().decode().split()
        if not line or line[0] != "ready":
            self.close()
            raise AssertionError("ipc_holder did not get ready")
        self.pid, self.msqid, self.shmid, self.semid = (int(x) for x in line[1:5])

    def close(self):
        if self.p.poll() is None:
            self.p.stdin.close()
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.p.terminate()
                self.p.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@test
def snapshot_sysv_objects_and_sockets():
    with IpcHolder() as h:
        before = {k: sysv_ids(k) for k in ("msg", "shm", "sem")}
        snap = snapshot([h.pid])
        after = {k: sysv_ids(k) for k in ("msg", "shm", "sem")}
        truth = proc_fds(h.pid)
        names = {o["name"] for o in snap["objects"]}
        mine = {"msg": h.msqid, "shm": h.shmid, "sem": h.semid}
        for kind, id_ in mine.items():
            check(id_ in before[kind], f"{kind} {id_} in /proc/sysvipc/{kind}")
            check(f"{kind}:[{id_}]" in names,
                  f"the snapshot lists {kind}:[{id_}] (objects: {sorted(names)})")
        # every SysV object it lists is one the kernel has (others may come
        # and go meanwhile: any that existed before or after)
        for n in names:
            m = re.fullmatch(r"(msg|shm|sem):\[(\d+)\]", n)
            if m:
                check(int(m[2]) in before[m[1]] | after[m[1]],
                      f"{n} is in /proc/sysvipc/{m[1]}")
        procs = {p["pid"]: p for p in snap["processes"]}
        files = {f["id"]: f for f in snap["files"]}
        check(h.pid in procs, "the holder is in the snapshot")
        got = {x["fd"]: files[x["file"]]["object"] for x in procs[h.pid]["fds"]}
        eq(got, truth, "fds and objects as /proc/PID/fd has them")
        socks = sorted(obj for fd, obj in truth.items() if fd in (3, 4))
        check(all(s.startswith("socket:[") for s in socks), f"fds 3 and 4 are sockets: {socks}")
        kinds = {o["name"]: o["kind"] for o in snap["objects"]}
        for s in socks:
            eq(kinds.get(s), "socket", f"{s} is a socket object")


def shared_maps(pid):
    """The shared mappings /proc/PID/maps lists: (start, length, inode,
    path), 's' in the permissions."""
    out = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            words = line.split(maxsplit=5)
            if words[1][3] != "s":
                continue
            start, end = (int(x, 16) for x in words[0].split("-"))
            path = words[5].rstrip("\n") if len(words) > 5 else ""
            out.append((start, end - start, int(words[4]), path))
    return sorted(out)


@test
def snapshot_shared_mappings_queues_and_ipv6():
    if not have_ipv6_loopback():
        raise Skip("no IPv6 loopback")
    d = tempdir()
    p = None
    try:
        path = os.path.join(d, "mapped")
        p = subprocess.Popen([prog("ipc_maps_holder"), path], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, cwd=ROOT)
        line = p.stdout.readline().decode().split()
        eq(line[:1], ["ready"], "ipc_maps_holder got ready")
        pid, shmid, faddr, saddr = (int(x) for x in line[1:5])
        qname, lport, cport = line[5], int(line[6]), int(line[7])
        truth_maps = shared_maps(pid)
        truth_fds = proc_fds(pid)
        snap = snapshot([pid])
        text = run_ipcscope(["--snapshot", "-p", str(pid)]).stdout.decode()

        # the kernel's view: the file's and the segment's mappings
        eq([(a, n) for a, n, _, _ in truth_maps], [(faddr, 8192), (saddr, 8192)]
           if faddr < saddr else [(saddr, 8192), (faddr, 8192)],
           "/proc/PID/maps: two shared mappings")
        proc = {x["pid"]: x for x in snap["processes"]}[pid]
        files = {f["id"]: f for f in snap["files"]}
        objects = {o["name"]: o for o in snap["objects"]}
        shm = f"shm:[{shmid}]"
        eq([(m["addr"], m["len"], m["object"]) for m in proc["maps"]],
           [(a, n, shm if ino == shmid else p_) for a, n, ino, p_ in truth_maps],
           "maps: as /proc/PID/maps has them, the SysV attach as shm:[ID]")
        fmap = [m for m in proc["maps"] if m["object"] == path][0]
        check("file" not in [m for m in proc["maps"] if m["object"] == shm][0],
              "an attach has no open-file entry")
        f = files[fmap["file"]]
        eq((f["object"], f["refs"], f["slots"], f["maps"]), (path, 1, 0, 1),
           "the mapped file: no fd, one reference, held by the mapping")
        eq((objects[shm]["nattch"], objects[shm]["bytes"]), (1, 6000), "the segment")

        # fds as /proc/PID/fd names them, the queue too
        got = {x["fd"]: files[x["file"]]["object"] for x in proc["fds"]}
        eq(got, truth_fds, "fds and objects as /proc/PID/fd has them")
        eq(truth_fds[3], qname, "/proc names the queue /NAME")
        q = objects[qname]
        eq((q["kind"], q["curmsgs"], q["maxmsg"], q["msgsize"], q["qsize"]),
           ("mq", 1, 5, 16, 4), "the queue's depth")

        # IPv6 sockets: addresses from the kernel, peers by their 4-tuples
        lobj, cobj, aobj = truth_fds[4], truth_fds[5], truth_fds[6]
        eq(objects[lobj].get("address"), f"[::1]:{lport}", "the listener's address")
        check("peer" not in objects[lobj], "a listener has no peer")
        eq((objects[cobj]["address"], objects[cobj]["remote"], objects[cobj]["peer"]),
           (f"[::1]:{cport}", f"[::1]:{lport}", aobj), "the client's socket")
        eq((objects[aobj]["address"], objects[aobj]["remote"], objects[aobj]["peer"]),
           (f"[::1]:{lport}", f"[::1]:{cport}", cobj), "the accepted socket")

        # the same in text
        for a, n, ino, p_ in truth_maps:
            want = shm if ino == shmid else p_
            check(re.search(rf"^    map {a:#x} {n}\s+(f\d+)?\s+{re.escape(want)}$",
                            text, re.M), f"text lists the mapping of {want}: {text}")
        check(re.search(rf"refs 1\s+fds 0 .*{re.escape(path)}  \(mapped 1\)$", text, re.M),
              f"text lists the entry held by the mapping: {text}")
        check(re.search(rf"^  mq\s+{re.escape(qname)}  1/5 messages, 4 bytes$", text, re.M),
              f"text lists the queue: {text}")
        check(f"{cobj}  [::1]:{cport} -> [::1]:{lport}  peer {aobj}" in text,
              f"text lists the client socket with its peer: {text}")
    finally:
        if p:
            p.stdin.close()
            p.wait(timeout=10)
        rmtree(d)
