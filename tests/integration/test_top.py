"""--top: data summed in the kernel per process, file and direction, and
printed per channel (writer -> object -> reader) every interval. The sums
must be exact: nothing may be lost between the kernel's two map
generations, however many intervals a transfer spans."""
import subprocess

from harness import IPCSCOPE, ROOT, check, eq, prog, run_ipcscope, test
from test_ipc import sock, trace_to_file, value


def channels(lines, obj=None):
    """Every channel of every interval, optionally only those of obj."""
    tops = [e for e in lines if e["type"] == "top"]
    check(tops, "no top lines")
    eq(sorted({e["type"] for e in lines}), ["top"],
       "only top lines (and the summary): data is not sent call by call")
    return [c for t in tops for c in t["channels"]
            if obj is None or obj in (c["object"], c.get("from"), c.get("to"))]


def total(chans, key):
    return sum(c[key] for c in chans)


def ends(chans, side):
    pids = {}
    for c in chans:
        for e in c[side]:
            pids[e["pid"]] = pids.get(e["pid"], 0) + e["bytes"]
    return pids


@test(quick=True)
def top_pipe_channel():
    lines, summary, _ = trace_to_file([prog("pipe_fork")],
                                      options=("--top", "--interval", "0.1"))
    pipes = [c for c in channels(lines) if c["kind"] == "pipe"]
    check(pipes, f"no pipe channel in {lines!r}")
    obj = pipes[0]["object"]
    chans = channels(lines, obj)
    eq(total(chans, "written"), 12, "bytes written: 'Hello, Pipe!'")
    eq(total(chans, "writes"), 1, "one write")
    eq(total(chans, "read"), 12, "bytes read")
    check(total(chans, "reads") >= 2, "the reads, then EOF")
    writers, readers = ends(chans, "writers"), ends(chans, "readers")
    eq(len(writers), 1, "one writer")
    eq(len(readers), 1, "one reader")
    check(list(writers) != list(readers), "writer and reader are two processes")
    eq(chans[-1]["buffered"], 0, "nothing left in the pipe at the end")
    eq(chans[-1]["capacity"], 65536, "pipe capacity")


@test
def top_buffered_after_a_burst():
    lines, _, _ = trace_to_file([prog("pipe_burst")],
                                options=("--top", "--interval", "0.1"))
    chans = [c for c in channels(lines) if c["kind"] == "pipe"]
    states = [(c["written"], c["read"], c["buffered"]) for c in chans]
    # the 100 writes fall in one interval or two, and the fill after the
    # last one may be read after that interval's table: then the next
    # table shows the pipe again, holding 100
    reads = [i for i, s in enumerate(states) if s[1] > 0]
    check(reads, f"the read is shown: {states}")
    before = states[:reads[0]]
    eq(sum(s[0] for s in before), 100, f"100 bytes written before the read: {states}")
    check(before and before[-1][2] == 100,
          f"the pipe shown holding 100 bytes before the read: {states}")
    eq(states[reads[0]], (0, 30, 70), f"30 read, 70 left: {states}")


@test
def top_sums_are_exact_across_intervals():
    # 200,000 one-byte writes spread over many 0.1 s intervals (and so
    # many flips of the kernel's map generations)
    lines, _, _ = trace_to_file(
        ["sh", "-c", "dd if=/dev/zero bs=1 count=200000 status=none | wc -c"],
        options=("--top", "--interval", "0.1"), timeout=120)
    pipes = [c for c in channels(lines) if c["kind"] == "pipe"
             and any(w["comm"] == "dd" for w in c["writers"])]
    check(pipes, "no channel with dd writing")
    chans = channels(lines, pipes[0]["object"])
    eq(total(chans, "written"), 200000, "bytes dd wrote")
    eq(total(chans, "writes"), 200000, "dd's writes")
    eq(total(chans, "read"), 200000, "bytes wc read")
    eq({e["comm"] for c in chans for e in c["readers"]}, {"wc"}, "the reader")


@test
def top_sums_are_exact_with_more_flows_than_slots():
    # 200 pipes in one process: most flows find their CPU's slot taken
    # and are summed in the flow map instead; both must add up
    lines, _, out = trace_to_file([prog("pipe_many")],
                                  options=("--top", "--interval", "0.1"))
    eq(value(out, "pipes"), 200, "the program ran")
    sums = {}
    for c in channels(lines):
        if c["kind"] == "pipe" and any(w["comm"] == "pipe_many"
                                       for w in c["writers"]):
            s = sums.setdefault(c["object"], [0, 0, 0, 0])
            for i, key in enumerate(("written", "writes", "read", "reads")):
                s[i] += c[key]
    eq(len(sums), 200, "a channel per pipe")
    eq(sorted(sums.values()),
       sorted([50 * (i % 7 + 1), 50, 50 * (i % 7 + 1), 50] for i in range(200)),
       "each pipe: 50 writes and 50 reads of i % 7 + 1 bytes")


@test
def top_socket_channels_are_directed():
    lines, _, out = trace_to_file([prog("ipc_socketpair")], options=("--top",))
    o0, o1 = sock(value(out, "sv0-ino")), sock(value(out, "sv1-ino"))
    socks = [c for c in channels(lines) if c["kind"] == "socket"]
    ways = {}
    for c in socks:
        w = ways.setdefault((c["from"], c["to"]), [0, 0])
        w[0] += c["written"]
        w[1] += c["read"]
    eq(ways, {(o0, o1): [10, 10], (o1, o0): [10, 10]},
       "parent -> child and child -> parent, 2 x 5 bytes each way")


@test(quick=True)
def top_text_table():
    p = subprocess.run([IPCSCOPE, "--top", "--interval", "0.1", "--",
                        prog("pipe_fork")], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30, cwd=ROOT)
    eq(p.returncode, 0, f"exit status (stderr {p.stderr.decode()!r})")
    text = p.stdout.decode()
    check("WRITER" in text and "BYTES/S" in text and "BUFFERED" in text,
          f"table header missing: {text!r}")
    check(any("pipe:[" in line and "pipe_fork[" in line
              for line in text.splitlines()),
          f"no row: pipe_fork -> pipe:[...]: {text!r}")


@test(quick=True)
def top_option_errors():
    for args, what in ((["--interval", "1", "--json"], "--interval goes with --top"),
                       (["--top", "--snapshot"], "choose one of"),
                       (["--top", "--interval", "0"], "--interval needs seconds")):
        p = run_ipcscope(args)
        eq(p.returncode, 2, f"exit status of {args}")
        check(what in p.stderr.decode(), f"{args}: {p.stderr.decode()!r}")
