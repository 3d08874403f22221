"""The model over a long run: under process churn it holds no process the
kernel does not (no ghosts)."""
import os

from harness import check, eq, prog, test, trace


def ghosts(alive):
    return [pid for pid in alive if not os.path.exists(f"/proc/{pid}")]


@test(core=True)
def churn_leaves_no_ghosts():
    # churn's children exec with a table too large for the exec event to
    # tell its fds, so each is re-read after exec: the re-reads meet
    # children whose exit is already applied (zombies not yet reaped, or
    # still in do_exit). --top also drains data a tick late, after exits.
    for mode in ([], ["--top", "--interval", "1"]):
        _, summary = trace([prog("churn"), "8", "150", "20"], mode,
                           timeout=120)
        eq(summary["lost"], 0, f"lost events {mode}")
        check(summary["resyncs"] > 0, f"re-reads happened {mode}")
        gone = ghosts(summary["alive"])
        check(not gone, f"{mode}: {len(gone)} processes the kernel lacks "
              f"held alive at the end, e.g. {gone[:8]}")
        # churn reaps every child before it ends: nothing it made is left
        eq(summary["alive"][:8], [], f"{mode}: processes alive at the end")
