#!/usr/bin/env bash
# tests/terminal/test_noise.sh - the live view keeps the noise out (issue 15).
#
# In a detached tmux session, reading the screen with capture-pane:
#   - a dynamically linked command: --json (the kernel's story, complete)
#     has the loader's opens of ld.so.cache and libc; the live view never
#     shows them, and 'x' (with the log) does;
#   - the command's output pipe shows as "ipcscope's output", never as a
#     pipe:[INODE] of the lesson, with no rate and no data lines in the log;
#   - a process in nanosleep: no "◷ sleep" until 'x';
#   - the signals demo: SIGUSR1 drawn on the child's row with how it is
#     handled, and on the parent's as sent; the SIGPIPE writer "killed
#     by SIGPIPE";
#   - a TCP listener bound to port 0 shows the port the kernel chose;
#   - an entry held only by a shared mapping stays in the graph, on an
#     "mmap" row (the kernel's /proc/PID/maps says the mapping is there).
# Needs root, BPF and tmux (IPCSCOPE_SKIP_BPF=1 turns their absence into a
# SKIP). Only processes this script started are ended, by pid.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
root=$(pwd)
bin=${IPCSCOPE:-$root/build/ipcscope}
session=ipcscope-noise-$$
tmp=
suite=terminal-noise
. tests/terminal/lib.sh

cleanup() {
	local pid
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
[ -x "$bin" ] || skip "$bin is not built (make)"
[ -x "$root/build/demos/signals" ] || skip "build/demos/signals is not built (make)"
tmp=$(mktemp -d /tmp/ipcscope-noise.XXXXXX) || skip "mktemp failed"
cc -std=gnu11 -Wall -Wextra -Werror -o "$tmp/map_held" tests/terminal/map_held.c ||
	skip "cannot compile the helper"

screen() { tmux capture-pane -p -t "$session" 2>/dev/null; }
wait_for() {	# SECONDS ERE
	local end=$((SECONDS + $1))
	while :; do
		screen >"$tmp/screen"
		grep -Eq -- "$2" "$tmp/screen" && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}
# never_for SECONDS ERE: every frame sampled for that long lacks ERE
never_for() {
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		screen >"$tmp/screen"
		grep -Eq -- "$2" "$tmp/screen" && return 1
		sleep 0.1
	done
	return 0
}
start() {	# NAME COMMAND...: in a fresh 120x40 session
	local name=$1
	shift
	tmux kill-session -t "$session" 2>/dev/null
	tmux new-session -d -s "$session" -x 120 -y 40 \
		"cd '$root'; bash -c 'echo \$\$ >\"\$0\"; exec \"\$@\"' '$tmp/$name.pid' $*; \
		 echo IPCSCOPE-ENDED; sleep 60" || return 1
}
quit() {
	tmux send-keys -t "$session" q
	wait_for 10 'IPCSCOPE-ENDED' || fail "$1-quit" "ipcscope still running after q"
}

# --- the loader, our pipe, sleeps -----------------------------------------
# sleep is dynamically linked: its loader opens are in the kernel's story
timeout 30 "$bin" --json -- sleep 0.1 >"$tmp/json" 2>/dev/null
if grep -q '"type":"open".*ld\.so\.cache' "$tmp/json" &&
   grep -Eq '"type":"open".*libc\.so' "$tmp/json"; then
	ok json-keeps-loader
else
	fail json-keeps-loader "no ld.so.cache / libc opens in --json: $(head -c 300 "$tmp/json")"
fi
start loader "'$bin' -- sleep 5" || skip "tmux cannot start a session"
wait_for 10 'PROCESSES' || fail view "no view: $(head -c 300 "$tmp/screen")"
tmux send-keys -t "$session" l
# the graph and the log, sampled: no loader file
loader='ld\.so\.cache|libc\.so|/usr/lib/locale'
if wait_for 5 '[0-9]+ sleep' && never_for 2 "$loader"; then
	ok loader-hidden
else
	fail loader-hidden "$(grep -E "$loader" "$tmp/screen" | head -n 3)"
fi
if never_for 1 $'\u25f7 sleep'; then
	ok sleep-not-a-wait
else
	fail sleep-not-a-wait "$(grep -E 'sleep' "$tmp/screen" | head -n 3)"
fi
tmux send-keys -t "$session" x
if wait_for 5 $'\u25f7 sleep'; then
	ok x-shows-sleep
else
	fail x-shows-sleep "no ◷ sleep after x: $(grep -E 'sleep' "$tmp/screen" | head -n 3)"
fi
if wait_for 5 "$loader"; then
	ok x-shows-loader
else
	fail x-shows-loader "no loader line after x: $(tr -s ' ' <"$tmp/screen" | tail -c 600)"
fi
quit loader

# the command's output: named ours, never a pipe:[INODE] of the lesson,
# no rate, no data lines of its own in the log
start own "'$bin' -- sh -c 'for i in 1 2 3 4 5 6; do echo line \$i; sleep 0.3; done; sleep 3'" ||
	skip "tmux cannot start a session"
wait_for 10 'PROCESSES' || fail view "no view: $(head -c 300 "$tmp/screen")"
tmux send-keys -t "$session" l
if wait_for 10 "ipcscope's output"; then
	ok own-pipe-named
else
	fail own-pipe-named "no \"ipcscope's output\": $(tr -s ' ' <"$tmp/screen" | head -c 600)"
fi
if wait_for 5 '^line [0-9]' && never_for 2 'pipe:\[|B/s|B moved| write '; then
	ok own-pipe-quiet
else
	fail own-pipe-quiet "$(grep -E 'pipe:\[|B/s|B moved| write ' "$tmp/screen" | head -n 3)"
fi
quit own

# make run: the pipe demo at its default pace, every frame sampled with
# its attributes. The demo's pipe flashes (yellow, SGR 43) when data moves:
# the check can see a flash; ipcscope's output, and its entry, never do.
start run "'$bin' --demo pipe" || skip "tmux cannot start a session"
seen_flash=0 own_flash=0 loader_seen=0
end=$((SECONDS + 60))
while [ "$SECONDS" -lt "$end" ]; do
	tmux capture-pane -p -e -t "$session" >"$tmp/frame" 2>/dev/null
	grep -F 'pipe:[' "$tmp/frame" | grep -Eq $'\033\\[([0-9]+;)*43(;[0-9]+)*m' && seen_flash=1
	# from the entry (after its edge's arrow) to the end of the line
	grep -F "ipcscope's output" "$tmp/frame" | sed 's/^.*▸f/f/' |
		grep -Eq $'\033\\[([0-9]+;)*43(;[0-9]+)*m' && own_flash=1
	grep -Eq 'ld\.so\.cache|libc\.so|/usr/lib/locale' "$tmp/frame" && loader_seen=1
	grep -q 'demo ended' "$tmp/frame" && break
	sleep 0.2
done
if [ "$seen_flash" = 1 ] && [ "$own_flash" = 0 ] && [ "$loader_seen" = 0 ]; then
	ok make-run-quiet
else
	fail make-run-quiet "demo pipe flashed: $seen_flash, ours flashed: $own_flash, loader files: $loader_seen"
fi
quit run

# --- signals -------------------------------------------------------------
start signals "'$bin' --demo signals --pace 600" || skip "tmux cannot start a session"
if wait_for 30 'SIGUSR1 (caught|pending)'; then
	ok signal-on-row
else
	fail signal-on-row "no SIGUSR1 on a row: $(tr -s ' ' <"$tmp/screen" | head -c 600)"
fi
grep -Eq 'SIGUSR1 sent (→|->)[0-9]+' "$tmp/screen" && ok signal-sender ||
	fail signal-sender "the parent's row does not say it sent SIGUSR1: $(grep -E 'SIG' "$tmp/screen" | head -n 3)"
if wait_for 30 'killed by SIGPIPE'; then
	ok killed-by-name
else
	fail killed-by-name "no 'killed by SIGPIPE': $(grep -E 'killed|exited' "$tmp/screen" | head -n 3)"
fi
grep -q 'killed by 13' "$tmp/screen" && fail killed-by-number "a number shown"
quit signals

# --- a listener bound to port 0 -------------------------------------------
# the port is the kernel's choice, as getsockname() told the demo
start tcp "'$bin' --demo tcp-socket --pace 600" || skip "tmux cannot start a session"
if wait_for 30 'the kernel chose port [0-9]+'; then
	port=$(grep -oE 'the kernel chose port [0-9]+' "$tmp/screen" | grep -oE '[0-9]+$' | head -n 1)
	if wait_for 10 "listening 127\.0\.0\.1:$port"; then
		ok listener-port
	else
		fail listener-port "no 'listening 127.0.0.1:$port': $(grep -E 'listening' "$tmp/screen" | head -n 2)"
	fi
	grep -q 'listening 127\.0\.0\.1:0\b' "$tmp/screen" && fail listener-port-0 "port 0 shown"
else
	fail listener-port "the demo never said its port: $(tr -s ' ' <"$tmp/screen" | tail -c 400)"
fi
quit tcp

# --- an entry held only by a mapping ---------------------------------------
start map "'$bin' -- '$tmp/map_held' '$tmp/mapped-file' 6" || skip "tmux cannot start a session"
if wait_for 10 'mapped'; then
	pid=$(pgrep -f "^$tmp/map_held" | head -n 1)
	# the kernel's truth: mapped, and no fd of it left
	if [ -n "$pid" ] && grep -q "$tmp/mapped-file" "/proc/$pid/maps" &&
	   ! ls -l "/proc/$pid/fd" | grep -q "$tmp/mapped-file"; then
		if wait_for 5 "mmap .*mapped-file"; then
			ok map-held-entry
		else
			fail map-held-entry "no mmap row: $(tr -s ' ' <"$tmp/screen" | head -c 600)"
		fi
	else
		fail map-held-setup "the helper's mapping is not as expected (pid '$pid')"
	fi
else
	fail map-held-entry "the helper never said mapped: $(tr -s ' ' <"$tmp/screen" | head -c 400)"
fi
quit map
finish
