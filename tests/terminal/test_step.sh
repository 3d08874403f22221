#!/usr/bin/env bash
# tests/terminal/test_step.sh - step mode (--step) in a real terminal (tmux).
#
# A statically linked pipe_fork (its first held call is its pipe2(): no
# dynamic loader opens files before it) runs under `ipcscope --step`:
#   - before any key it waits in seccomp before its pipe2(): no pipe in
#     /proc/PID/fd, /proc/PID/syscall says pipe2, the status bar names it;
#   - one n lets exactly that call run: the pipe is in /proc/PID/fd and
#     the next call (clone) is held and named;
#   - c lets it run to its end: exit 0, shown, and ipcscope's status 0;
#   - q with parent and child each held: both are let go and ended;
#   - ipcscope ended by SIGTERM, then by SIGKILL, while the command is
#     held: the command does not stay held or stopped (it is gone);
#   - --step outside the live view, or without a command, is refused.
# Needs root, BPF, tmux and a C compiler that links statically: without
# them it fails, unless IPCSCOPE_SKIP_BPF=1, where it prints SKIP. Waits
# are polls with deadlines; only processes this script started are
# ended, by pid; its own tmux server (-L) is killed on exit.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
root=$(pwd)
bin=${IPCSCOPE:-$root/build/ipcscope}
session=ipcscope-step-$$
tmp=
suite=terminal-step
. tests/terminal/lib.sh

cleanup() {
	local pid
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	done
	tm kill-server 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
# a tmux server of our own: no one else's sessions or kill-server touch it
tm() { tmux -L "$session" "$@"; }

[ "$(id -u)" -eq 0 ] || skip "needs root for BPF"
command -v tmux >/dev/null || skip "tmux is not installed"
[ -x "$bin" ] || skip "$bin is not built (make)"
tmp=$(mktemp -d /tmp/ipcscope-step.XXXXXX) || skip "mktemp failed"
cc -static -std=gnu11 -O2 -Wall -Wextra -Werror -o "$tmp/pipe_fork" \
	tests/progs/pipe_fork.c 2>"$tmp/cc.err" ||
	skip "cannot link the helper statically: $(head -n 1 "$tmp/cc.err")"

screen() { tm capture-pane -p -t "$session" 2>/dev/null; }
on_screen() { screen >"$tmp/screen"; grep -Eq -- "$1" "$tmp/screen"; }
# a pipe on an fd above 2 (1 and 2 are the pipe to ipcscope's OUTPUT pane)
has_pipe() {
	local f
	for f in /proc/"$1"/fd/*; do
		[ "${f##*/}" -gt 2 ] && [[ "$(readlink "$f")" == pipe:* ]] && return 0
	done
	return 1
}
held_in() { # held_in PID NR: waits in seccomp before syscall NR
	[ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = "$2" ] &&
		grep -q seccomp "/proc/$1/wchan" 2>/dev/null
}
gone() { # no such process, or a zombie
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ]
}
# The command: ipcscope's child (the pane's shell execs ipcscope).
command_pid() {
	local ip
	ip=$(cat "$tmp/ipcscope.pid" 2>/dev/null) || return 1
	cmd=$(cut -d' ' -f1 "/proc/$ip/task/$ip/children" 2>/dev/null)
	[ -n "$cmd" ]
}

# start: ipcscope --step on the helper, in a fresh 120x30 session; its
# pid in $tmp/ipcscope.pid, its exit status in $tmp/rc afterwards.
start() {
	tm kill-session -t "$session" 2>/dev/null
	rm -f "$tmp/rc" "$tmp/ipcscope.pid"
	tm new-session -d -s "$session" -x 120 -y 30 \
		"cd '$root'; \
		 bash -c 'echo \$\$ >\"\$0\"; exec \"\$@\"' '$tmp/ipcscope.pid' \
		 '$bin' --step -- '$tmp/pipe_fork'; \
		 echo \$? >'$tmp/rc'; echo IPCSCOPE-ENDED; sleep 60" ||
		skip "tmux cannot start a session"
	until_ok 10 command_pid || { fail start "no command under ipcscope"; finish; }
	echo "$cmd" >"$tmp/command.pid"
}

# --- refused where it cannot work: a usage error, said plainly ------------
refused() { # refused WHAT ARGS...: exit 2 and the line naming --step
	local what=$1
	shift
	"$bin" "$@" >/dev/null 2>"$tmp/err"
	if [ $? = 2 ] && grep -q '^ipcscope: --step ' "$tmp/err"; then
		ok "refused-$what"
	else
		fail "refused-$what" "$(head -n 2 "$tmp/err")"
	fi
}
refused json --step --json -- true
refused snapshot --step --snapshot
refused pid --step -p 1
refused tour --step --demo tour

# --- held before pipe2, one n, then c -----------------------------------
start
if until_ok 10 held_in "$cmd" 293 && until_ok 10 on_screen "STEP +pid $cmd is about to pipe2\("; then
	has_pipe "$cmd" && fail held-before-pipe "a pipe is already open" ||
		ok held-before-pipe
else
	fail held-before-pipe "not held in pipe2: syscall $(cat "/proc/$cmd/syscall" 2>/dev/null | cut -d' ' -f1), wchan $(cat "/proc/$cmd/wchan" 2>/dev/null), screen: $(tail -n 1 "$tmp/screen")"
fi
tm send-keys -t "$session" n
if until_ok 10 has_pipe "$cmd" && until_ok 10 held_in "$cmd" 56 &&
	until_ok 10 on_screen "about to clone\(\)"; then
	ok one-step
else
	fail one-step "after n: fds $(ls "/proc/$cmd/fd" | tr '\n' ' '), syscall $(cut -d' ' -f1 "/proc/$cmd/syscall" 2>/dev/null), screen: $(tail -n 1 "$tmp/screen")"
fi
# still exactly one process: the clone has not run
[ -z "$(cat "/proc/$cmd/task/$cmd/children" 2>/dev/null)" ] && ok only-one-call ||
	fail only-one-call "a child exists: $(cat "/proc/$cmd/task/$cmd/children")"
tm send-keys -t "$session" c
if until_ok 10 on_screen 'the command ended \(exit 0\)'; then
	ok runs-freely
else
	fail runs-freely "no end after c: $(tail -n 1 "$tmp/screen")"
fi
tm send-keys -t "$session" q
if until_ok 10 on_screen IPCSCOPE-ENDED && [ "$(cat "$tmp/rc")" = 0 ]; then
	ok exit-status
else
	fail exit-status "ipcscope's status $(cat "$tmp/rc" 2>/dev/null), not 0"
fi

# --- q with two processes held: both run on and are ended ---------------
start
until_ok 10 held_in "$cmd" 293
tm send-keys -t "$session" n
until_ok 10 held_in "$cmd" 56
tm send-keys -t "$session" n
child=
kid() { child=$(cut -d" " -f1 "/proc/$cmd/task/$cmd/children" 2>/dev/null); [ -n "$child" ]; }
# each held before its close(): the parent's of fd 3, the child's of fd 4
if until_ok 10 kid && until_ok 10 held_in "$cmd" 3 && until_ok 10 held_in "$child" 3; then
	echo "$child" >"$tmp/child.pid"
	tm send-keys -t "$session" q
	if until_ok 10 on_screen IPCSCOPE-ENDED && until_ok 10 gone "$cmd" &&
		until_ok 10 gone "$child" && [ "$(cat "$tmp/rc")" = 0 ]; then
		ok quit-two-held
	else
		fail quit-two-held "status $(cat "$tmp/rc" 2>/dev/null); $(cat "/proc/$cmd/stat" "/proc/$child/stat" 2>/dev/null)"
	fi
else
	fail quit-two-held "no second process held: $(tail -n 1 "$tmp/screen")"
fi

# --- ipcscope ended while the command is held ------------------------------
for sig in TERM KILL; do
	start
	if ! until_ok 10 held_in "$cmd" 293; then
		fail "end-$sig" "not held before pipe2"
		continue
	fi
	kill -"$sig" "$(cat "$tmp/ipcscope.pid")"
	if until_ok 10 on_screen IPCSCOPE-ENDED && until_ok 10 gone "$cmd"; then
		ok "end-$sig"
	else
		fail "end-$sig" "the command (pid $cmd) is still there: $(cat "/proc/$cmd/stat" 2>/dev/null), wchan $(cat "/proc/$cmd/wchan" 2>/dev/null)"
	fi
done
finish
