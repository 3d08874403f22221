#!/usr/bin/env bash
# tests/terminal/test_ui.sh - the live view in a real terminal (tmux).
#
# Runs build/ipcscope in a detached tmux session and reads the screen with
# capture-pane:
#   - the pipe demo: column headers, both processes, the pipe object, refs;
#   - a helper whose name carries escape sequences: shown escaped, the
#     window title unchanged;
#   - '?' shows the help; 'o' the command's output (with the log, at
#     80x24); resizing redraws (and says "terminal too small" below
#     80x24); 'q' ends ipcscope and leaves the terminal sane.
#   - the demo's narration in the OUTPUT pane, a process blocked in read,
#     and after the demo ends: the view stays, exited processes greyed;
#   - with -p, a pipe emptied by a reader we do not trace shows empty;
#   - with optional kernel features refused, the help names them.
# Needs root, BPF and tmux: without them it fails, unless
# IPCSCOPE_SKIP_BPF=1, where it prints SKIP and exits 0. Only processes
# this script started are ended, by pid; its tmux session is killed on
# exit.
#
#   tests/terminal/test_ui.sh        (IPCSCOPE=path overrides build/ipcscope)
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
root=$(pwd)
bin=${IPCSCOPE:-$root/build/ipcscope}
session=ipcscope-test-$$
tmp=
suite=terminal
. tests/terminal/lib.sh

cleanup() {
	local pid
	# the helper and ipcscope, by the pids we recorded
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	tmux kill-session -t "$session" 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || skip "needs root for BPF"
command -v tmux >/dev/null || skip "tmux is not installed"
command -v cc >/dev/null || skip "no C compiler for the helper"
[ -x "$bin" ] || skip "$bin is not built (make)"
[ -x "$root/build/demos/pipe" ] || skip "build/demos/pipe is not built (make)"
tmp=$(mktemp -d /tmp/ipcscope-term.XXXXXX) || skip "mktemp failed"
if ! timeout 30 "$bin" --snapshot -p $$ >/dev/null 2>"$tmp/bpf.err"; then
	skip "BPF does not work here: $(head -n 1 "$tmp/bpf.err")"
fi
cc -std=gnu11 -Wall -Wextra -Werror -o "$tmp/evil" tests/terminal/evil_name.c ||
	skip "cannot compile the helper"

screen() { tmux capture-pane -p -t "$session" 2>/dev/null; }

# wait_for SECONDS ERE: polls the screen until a line matches
wait_for() {
	local end=$((SECONDS + $1))
	while :; do
		screen >"$tmp/screen"
		grep -Eq -- "$2" "$tmp/screen" && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# wait_gone SECONDS ERE: polls the screen until no line matches
wait_gone() {
	local end=$((SECONDS + $1))
	while :; do
		screen >"$tmp/screen"
		grep -Eq -- "$2" "$tmp/screen" || return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# start NAME COMMAND...: runs COMMAND (ipcscope ...) in the foreground of a
# fresh 100x30 session, its pid in $tmp/NAME.pid (a shell that writes its
# own pid, then execs); afterwards the pane's shell records the exit status
# and the tty modes.
start() {
	local name=$1
	shift
	tmux kill-session -t "$session" 2>/dev/null
	rm -f "$tmp/rc" "$tmp/stty"
	tmux new-session -d -s "$session" -x 100 -y 30 \
		"cd '$root'; \
		 bash -c 'echo \$\$ >\"\$0\"; exec \"\$@\"' '$tmp/$name.pid' $*; \
		 echo \$? >'$tmp/rc'; stty -a >'$tmp/stty' 2>&1; \
		 echo IPCSCOPE-ENDED; sleep 60" ||
		return 1
}

# --- the pipe demo -------------------------------------------------------
start demo "'$bin' --demo pipe --pace 300" || skip "tmux cannot start a session"
if wait_for 10 'PROCESSES +FD TABLE +OPEN FILES +OBJECTS'; then
	ok headers
else
	fail headers "no column headers: $(head -c 300 "$tmp/screen")"
fi
# both processes (parent, then the child in the tree) and the pipe
if wait_for 10 '(└─|`-)[0-9]+ pipe'; then
	ok processes
	grep -Eq '^[0-9]+ pipe' "$tmp/screen" && ok parent ||
		fail parent "no parent row"
else
	fail processes "child never shown: $(tr -s ' ' <"$tmp/screen" | head -c 600)"
fi
if grep -Eq 'pipe:\[[0-9]+\]' "$tmp/screen" && grep -Eq 'f[0-9]+ [rw]+ refs [0-9]+' "$tmp/screen"; then
	ok pipe-object
else
	fail pipe-object "no pipe:[INODE] with entries and refs"
fi
grep -Eq 'r[0-9] w[0-9]' "$tmp/screen" && ok pipe-gauge ||
	fail pipe-gauge "no reader/writer counts"
# the child waits in read() while the parent sleeps between steps
if wait_for 10 'read fd[0-9]'; then
	ok blocked-in-read
else
	fail blocked-in-read "no process shown blocked in read: $(tr -s ' ' <"$tmp/screen" | head -c 600)"
fi
# the demo's narration in the OUTPUT pane (it opens by itself)
if wait_for 10 '^(parent|child)\[[0-9]+\]: '; then
	ok output-narration
else
	fail output-narration "no OUTPUT pane with the demo's lines: $(tr -s ' ' <"$tmp/screen" | tail -c 400)"
fi
# the demo ends by itself; the view stays, says so, shows the exited
# processes greyed, until q
if wait_for 20 'demo ended \(exit 0\)'; then
	ok demo-ended-shown
	# -e keeps the attributes: exited processes are dim (SGR 2)
	# (the child is folded into its parent's row, "+1 exited", which is
	# selected: its "exited 0" line is what is dim)
	if tmux capture-pane -p -e -t "$session" | grep -Eq $'\033\\[(2|[0-9;]*;2)(;[0-9]+)*m(\033\\[[0-9;]*m)*([0-9]+ pipe|exited 0)'; then
		ok exited-greyed
	else
		fail exited-greyed "no dim process row after the demo ended"
	fi
	tmux send-keys -t "$session" q
	wait_for 10 'IPCSCOPE-ENDED' && ok demo-ends ||
		fail demo-ends "ipcscope still running after q"
else
	fail demo-ends "no 'demo ended' 20 s after the demo: $(tr -s ' ' <"$tmp/screen" | tail -c 300)"
fi

# --- -p a writer whose reader is not traced ------------------------------
# A shell writes 100 bytes into a pipe that another shell, not traced,
# reads: no event says so, and the gauge must still come back to 0.
mkfifo "$tmp/go" "$tmp/drain" || skip "mkfifo failed"
sh -c 'echo $$ >"$0/writer.pid"; read x <"$0/go"; printf %0100d 0; exec sleep 60' "$tmp" |
	sh -c 'echo $$ >"$0/reader.pid"; read x <"$0/drain"; head -c 100 >/dev/null; exec sleep 60' "$tmp" &
for _ in $(seq 50); do
	[ -s "$tmp/writer.pid" ] && [ -s "$tmp/reader.pid" ] && break
	sleep 0.1
done
start untraced "'$bin' -p $(cat "$tmp/writer.pid")" || skip "tmux cannot start a session"
if wait_for 10 'PROCESSES'; then
	echo go >"$tmp/go"
	if wait_for 10 '(^|[^0-9])100/64K'; then
		# the gauge is on the line under the pipe's name
		pipe=$(grep -B1 -E '(^|[^0-9])100/64K' "$tmp/screen" | grep -oE 'pipe:\[[0-9]+\]' | head -n 1)
		echo go >"$tmp/drain"
		end=$((SECONDS + 10))
		until screen | grep -A1 -F "$pipe" | tail -n 1 | grep -Eq '(^|[^0-9/])0/64K'; do
			[ "$SECONDS" -ge "$end" ] && break
			sleep 0.1
		done
		if screen | grep -A1 -F "$pipe" | tail -n 1 | grep -Eq '(^|[^0-9/])0/64K'; then
			ok untraced-reader-emptied
		else
			fail untraced-reader-emptied "$pipe still shows the 100 bytes: $(screen | grep -A1 -F "$pipe" | tr -s ' ')"
		fi
	else
		fail untraced-reader-emptied "no 100/64K after the write: $(tr -s ' ' <"$tmp/screen" | head -c 600)"
	fi
else
	fail untraced-reader-emptied "no view: $(head -c 300 "$tmp/screen")"
fi
tmux send-keys -t "$session" q
wait_for 10 'IPCSCOPE-ENDED' || fail untraced-reader-quit "ipcscope still running after q"
kill "$(cat "$tmp/writer.pid")" "$(cat "$tmp/reader.pid")" 2>/dev/null
rm -f "$tmp/writer.pid" "$tmp/reader.pid"
wait 2>/dev/null

# --- a name with escape sequences, '?', resize, q ------------------------
start evil "'$bin' -- '$tmp/evil' '$tmp/helper.pid' 30" ||
	skip "tmux cannot start a session"
if wait_for 10 '\\x1b\]2;PWN\\x07'; then
	ok escaped-name
else
	fail escaped-name "name not shown escaped: $(tr -s ' ' <"$tmp/screen" | head -c 400)"
fi
title=$(tmux display-message -p -t "$session" '#{pane_title}')
[ "$title" != PWN ] && ok title-untouched || fail title-untouched "the helper's OSC set the title"
grep -q $'\033' "$tmp/screen" && fail no-raw-escape "an ESC byte is on the screen" ||
	ok no-raw-escape

tmux send-keys -t "$session" '?'
wait_for 5 'ipcscope keys' && grep -q 'q F10' "$tmp/screen" && ok help ||
	fail help "no help after ?"
tmux send-keys -t "$session" Escape
wait_gone 5 'ipcscope keys' && grep -q PROCESSES "$tmp/screen" && ok help-closes ||
	fail help-closes "help still shown"

# 'o' shows and hides the command's output; with the log too it still
# fits 80x24
tmux send-keys -t "$session" '?'
wait_for 5 "the command's output" && ok help-output-key ||
	fail help-output-key "no 'o' in the help"
tmux send-keys -t "$session" Escape
wait_gone 5 'ipcscope keys'
if grep -q 'OUTPUT of the traced command' "$tmp/screen"; then
	tmux send-keys -t "$session" o	# shown by itself: hide it first
	wait_gone 5 'OUTPUT of the traced command'
fi
tmux send-keys -t "$session" o
wait_for 5 'OUTPUT of the traced command' && ok output-pane ||
	fail output-pane "no OUTPUT pane after o"
tmux resize-window -t "$session" -x 80 -y 24
tmux send-keys -t "$session" l
if wait_for 5 '^EVENTS' && grep -q 'OUTPUT of the traced command' "$tmp/screen" &&
	grep -q 'PROCESSES' "$tmp/screen" && grep -Eq 'q quit *$' "$tmp/screen"; then
	ok output-log-80x24
else
	fail output-log-80x24 "$(tr -s ' ' <"$tmp/screen" | head -c 400)"
fi
tmux send-keys -t "$session" l o
wait_gone 5 'OUTPUT of the traced command' && ok output-hides ||
	fail output-hides "OUTPUT pane still shown after o"
tmux resize-window -t "$session" -x 100 -y 30

tmux resize-window -t "$session" -x 130 -y 40
# the key hints are right-aligned: at 130 columns they end at column 130
if wait_for 5 '^.{100,}q quit *$'; then
	ok resize-wider
else
	fail resize-wider "no redraw at 130x40"
fi
tmux resize-window -t "$session" -x 70 -y 20
wait_for 5 'terminal too small' && ok resize-too-small ||
	fail resize-too-small "no 'terminal too small' at 70x20"
tmux resize-window -t "$session" -x 100 -y 30
wait_for 5 'PROCESSES' && ok resize-back || fail resize-back "no redraw at 100x30"

tmux send-keys -t "$session" q
if wait_for 10 'IPCSCOPE-ENDED'; then
	ok quit
	# the shell after it has a sane tty: canonical mode and echo back
	if grep -Eq '(^| )icanon( |$)' "$tmp/stty" && grep -Eq '(^| )echo( |$)' "$tmp/stty"; then
		ok tty-sane
	else
		fail tty-sane "tty modes after q: $(tr '\n' ' ' <"$tmp/stty" | head -c 300)"
	fi
	[ "$(tmux display-message -p -t "$session" '#{alternate_on}')" = 0 ] &&
		ok alt-screen-left || fail alt-screen-left "still on the alternate screen"
	! grep -q 'PROCESSES' "$tmp/screen" && ok screen-restored ||
		fail screen-restored "the live view is still on the screen"
else
	fail quit "ipcscope still running 10 s after q: $(tr -s ' ' <"$tmp/screen" | head -c 400)"
fi

# --- ending ipcscope ends the command it started --------------------------
# q, Ctrl-C, SIGTERM and SIGHUP each end the view: the command is ended too
# (its pid gone, or a zombie nobody reaps), ipcscope says so once the
# terminal is back, exits 0, and the shell after it has a sane tty.
gone() { # gone PID: no such process, or a zombie
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ]
}
for how in q C-c TERM HUP; do
	rm -f "$tmp/helper.pid"
	start "end-$how" "'$bin' -- '$tmp/evil' '$tmp/helper.pid' 120" ||
		skip "tmux cannot start a session"
	for _ in $(seq 100); do
		[ -s "$tmp/helper.pid" ] && break
		sleep 0.1
	done
	helper=$(cat "$tmp/helper.pid" 2>/dev/null)
	if [ -z "$helper" ] || ! wait_for 10 'PROCESSES'; then
		fail "end-$how" "no view with the helper running"
		continue
	fi
	case $how in
	q | C-c) tmux send-keys -t "$session" "$how" ;;
	*) kill -"$how" "$(cat "$tmp/end-$how.pid")" ;;
	esac
	if ! wait_for 10 'IPCSCOPE-ENDED'; then
		fail "end-$how" "ipcscope still running: $(tr -s ' ' <"$tmp/screen" | head -c 300)"
		continue
	fi
	end=$((SECONDS + 10))
	until gone "$helper" || [ "$SECONDS" -ge "$end" ]; do sleep 0.1; done
	if ! gone "$helper"; then
		fail "end-$how" "the command (pid $helper) is still there: $(cat "/proc/$helper/stat" 2>/dev/null)"
	elif [ "$(cat "$tmp/rc")" != 0 ]; then
		fail "end-$how" "exit status $(cat "$tmp/rc"), not 0"
	elif ! grep -Eq '(^| )icanon( |$)' "$tmp/stty" || ! grep -Eq '(^| )echo( |$)' "$tmp/stty"; then
		fail "end-$how" "tty modes after it: $(tr '\n' ' ' <"$tmp/stty" | head -c 300)"
	elif [ "$(grep -c '^ipcscope: .*command' "$tmp/screen")" != 1 ]; then
		fail "end-$how" "no one line saying the command was ended: $(grep ipcscope "$tmp/screen")"
	elif grep -q 'PROCESSES' "$tmp/screen"; then
		fail "end-$how" "the live view is still on the screen"
	else
		ok "end-$how"
	fi
done

# --- lost events: a mark in the event log --------------------------------
# A 4 KiB ring and a burst of dup/close calls (structural events, sent one
# by one even in the live view) lose events; the log says so.
start lost "'$bin' --ring-size 4096 -- python3 -c 'import os, time
for i in range(100000): os.close(os.dup(0))
time.sleep(120)'" || skip "tmux cannot start a session"
if wait_for 10 'PROCESSES'; then
	tmux send-keys -t "$session" l
	if wait_for 30 'lost [0-9]+ events'; then
		ok lost-in-log
	else
		fail lost-in-log "no lost mark in the log: $(tr -s ' ' <"$tmp/screen" | tail -c 600)"
	fi
else
	fail lost-in-log "no view: $(head -c 300 "$tmp/screen")"
fi
tmux send-keys -t "$session" q
wait_for 10 'IPCSCOPE-ENDED' || fail lost-quit "ipcscope still running after q"

# --- optional kernel features off: the help names them --------------------
start refused "env IPCSCOPE_REFUSE=maps,signals '$bin' --demo pipe --pace 300" ||
	fail help-features-off "tmux cannot start a session"
wait_for 10 'PROCESSES +FD TABLE'
tmux send-keys -t "$session" '?'
if wait_for 5 'off on this kernel: (.*, )?maps, signals'; then
	ok help-features-off
else
	fail help-features-off "the help does not name maps and signals: $(tr -s ' ' <"$tmp/screen" | head -c 600)"
fi
tmux send-keys -t "$session" Escape q
wait_for 10 'IPCSCOPE-ENDED' || fail help-features-off-quit "ipcscope still running after q"
finish
