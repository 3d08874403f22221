#!/usr/bin/env bash
# tests/terminal/test_time.sh - time control in the live view (tmux).
#
# The pipe demo at its default pace, live:
#   - space holds the whole screen at one moment (graph, log, output,
#     status) while the demo goes on: the demo's own process is seen
#     moving on in /proc, the screen stays the same but for the count of
#     events recorded, which grows; space again shows the run as it is;
#   - when the demo ends, the last picture stays (the processes, shown
#     exited) for longer than exited processes stay otherwise, and the
#     status bar says so; N steps back: an earlier event, with the pipe's
#     fds on screen again; g goes to the start, n one event on;
#   - - (slower) makes the view fall behind the run, shown as PLAYING;
#   - with IPCSCOPE_HISTORY=1 (a history too small for the run) space
#     still holds the live picture, and going back says "history full".
# A recorded run (--json --record) replayed in the live view:
#   - opens paused at event 1 of N; G goes to N of N, N to N-1, g to 0;
#     c plays to the end; + doubles the pace (x2 shown);
#   - the event log's entries carry the same ids (#K) forward and back;
#   - a truncated file is replayed up to its damage, then q: one line on
#     stderr says where, and the exit status is 1.
# Needs root, BPF and tmux: without them it fails, unless
# IPCSCOPE_SKIP_BPF=1, where it prints SKIP. Waits are polls with
# deadlines; only processes this script started are ended, by pid; its
# own tmux server (-L) is killed on exit.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
root=$(pwd)
bin=${IPCSCOPE:-$root/build/ipcscope}
session=ipcscope-time-$$
tmp=
history=
suite=terminal-time
. tests/terminal/lib.sh

cleanup() {
	local pid
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	tm kill-server 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
tm() { tmux -L "$session" "$@"; }

[ "$(id -u)" -eq 0 ] || skip "needs root for BPF"
command -v tmux >/dev/null || skip "tmux is not installed"
[ -x "$bin" ] || skip "$bin is not built (make)"
tmp=$(mktemp -d /tmp/ipcscope-time.XXXXXX) || skip "mktemp failed"

screen() { tm capture-pane -p -t "$session" 2>/dev/null; }
on_screen() { screen >"$tmp/screen"; grep -Eq -- "$1" "$tmp/screen"; }
status() { screen | tail -n 1; }
# the step shown, and how many there are: "event K of N"
step_of() { status | sed -nE 's/.*event ([0-9]+) of ([0-9]+).*/\1 \2/p'; }
steps_above() { local s; s=$(step_of); [ -n "$s" ] && [ "${s#* }" -gt "$1" ]; }
step_is() { local s; s=$(step_of); [ "${s% *}" = "$1" ]; }
# start ARGS: ipcscope ARGS (with IPCSCOPE_HISTORY=$history when set) in
# a fresh 140x45 session; its pid in
# $tmp/ipcscope.pid, its exit status in $tmp/rc, its stderr in $tmp/err
start() {
	tm kill-session -t "$session" 2>/dev/null
	rm -f "$tmp/rc" "$tmp/ipcscope.pid"
	tm new-session -d -s "$session" -x 140 -y 45 \
		"cd '$root'; \
		 bash -c 'echo \$\$ >\"\$0\"; exec \"\$@\"' '$tmp/ipcscope.pid' \
		 env ${history:+IPCSCOPE_HISTORY=$history} '$bin' $* 2>'$tmp/err'; \
		 echo \$? >'$tmp/rc'; sleep 60" ||
		return 1
	until_ok 20 on_screen 'PROCESSES'
}
key() { tm send-keys -t "$session" "$@"; }

# --- live: pause, the end kept, back ---------------------------------------
start --demo pipe || { fail live-start "no view"; finish; }
until_ok 30 on_screen 'pipe\(\) gave read end' || fail live-start "no narration"
key ' '
until_ok 10 on_screen ' PAUSED ' || fail pause "no PAUSED"
screen | head -n -1 >"$tmp/held1"
held=$(step_of)
# the run goes on: more events are recorded, the demo moves on
if until_ok 30 steps_above "${held#* }"; then
	screen | head -n -1 >"$tmp/held2"
	if cmp -s "$tmp/held1" "$tmp/held2"; then
		ok pause-holds-screen
	else
		fail pause-holds-screen "the screen moved while paused: $(diff "$tmp/held1" "$tmp/held2" | head -n 4 | tr '\n' '|')"
	fi
	step_is "${held% *}" && ok pause-counts-on ||
		fail pause-counts-on "the step shown moved: $held -> $(step_of)"
else
	fail pause-counts-on "no events recorded while paused (was $held)"
fi
key ' '
until_ok 10 on_screen ' LIVE | ENDED ' && ok pause-resumes ||
	fail pause-resumes "space did not return to the run: $(status)"
until_ok 60 on_screen ' ENDED ' && grep -q 'the demo ended (exit 0)' "$tmp/screen" &&
	ok end-said || fail end-said "no end in the status bar: $(status)"
# kept longer than an exited process stays otherwise (5 s)
sleep 6
if on_screen 'exited 0' && grep -q ' ENDED ' "$tmp/screen"; then
	ok end-kept
else
	fail end-kept "the last picture went: $(head -n 4 "$tmp/screen" | tr '\n' '|')"
fi
key N
until_ok 10 on_screen ' PAUSED ' || fail back "N did not step back: $(status)"
s=$(step_of)
[ -n "$s" ] && [ "${s% *}" -eq $((${s#* } - 1)) ] && ok back-one ||
	fail back-one "N showed '$s'"
# back until the pipe's fds are on screen again (its read end, fd 3)
found=
for _ in $(seq 1 40); do
	key N
	sleep 0.1
	if on_screen ' 3 r +─'; then found=1; break; fi
done
[ -n "$found" ] && ok back-shows-pipe || fail back-shows-pipe "no fd 3 going back: $(status)"
key g
until_ok 10 step_is 0 && ok first || fail first "g: $(status)"
key n
until_ok 10 step_is 1 && ok next || fail next "n: $(status)"
key q
until_ok 10 test -s "$tmp/rc" && [ "$(cat "$tmp/rc")" = 0 ] && ok live-quit ||
	fail live-quit "exit $(cat "$tmp/rc" 2>/dev/null)"

# - makes the view fall behind a running demo
start --demo pipe || fail slower "no view"
until_ok 30 on_screen 'pipe\(\) gave read end' || fail slower "no narration"
key -
until_ok 10 on_screen ' PLAYING .*x1/2' && ok slower ||
	fail slower "no PLAYING x1/2: $(status)"
key q
until_ok 10 test -s "$tmp/rc" || fail slower-quit "ipcscope did not end"

# a history too small for the run: space still holds the graph (a copy of
# now, not the moment the history stopped at); N goes back in what it has
history=1 start --demo pipe || fail history-full "no view"
until_ok 30 on_screen 'pipe\(\) gave read end' || fail history-full "no narration"
key ' '
until_ok 10 on_screen '^ PAUSED +[0-9]+ ev/s' && ok history-full-pauses-now ||
	fail history-full-pauses-now "no pause of the live picture: $(status)"
key N
until_ok 10 on_screen 'history full' && ok history-full-said ||
	fail history-full-said "$(status)"
key q
until_ok 10 test -s "$tmp/rc" || fail history-full-quit "ipcscope did not end"
history=

# --- a record file in the live view ------------------------------------------
"$bin" --demo pipe --pace 100 --json --record "$tmp/run.rec" >"$tmp/run.json" 2>"$tmp/rec.err" ||
	fail record "exit $? $(head -n 1 "$tmp/rec.err")"
start --replay "$tmp/run.rec" || fail replay "no view"
until_ok 10 on_screen ' REPLAY .*event 1 of ' && ok replay-opens-at-1 ||
	fail replay-opens-at-1 "$(status)"
n=$(step_of); n=${n#* }
key G
until_ok 10 step_is "$n" && ok replay-last || fail replay-last "$(status)"
key N
until_ok 10 step_is $((n - 1)) && ok replay-back || fail replay-back "$(status)"
key l
until_ok 10 on_screen '^#[0-9]+ +[0-9]' && ok log-ids || fail log-ids "no #K entries in the log"
grep -E '^#[0-9]+ ' "$tmp/screen" | head -n 3 >"$tmp/ids1"
key N N n n
until_ok 10 step_is $((n - 1)) || fail replay-there-and-back "$(status)"
screen | grep -E '^#[0-9]+ ' | head -n 3 >"$tmp/ids2"
cmp -s "$tmp/ids1" "$tmp/ids2" && ok log-ids-stable ||
	fail log-ids-stable "$(diff "$tmp/ids1" "$tmp/ids2" | tr '\n' '|')"
key g
until_ok 10 step_is 0 && ok replay-first || fail replay-first "$(status)"
key +
until_ok 10 on_screen 'x2 ' && ok replay-faster || fail replay-faster "$(status)"
key c
until_ok 30 step_is "$n" && ok replay-plays-to-end || fail replay-plays-to-end "$(status)"
key q
until_ok 10 test -s "$tmp/rc" && [ "$(cat "$tmp/rc")" = 0 ] && ok replay-quit ||
	fail replay-quit "exit $(cat "$tmp/rc" 2>/dev/null) $(head -n 1 "$tmp/err")"

# a damaged file: replayed up to the damage, said after the view closes
size=$(stat -c %s "$tmp/run.rec")
head -c $((size * 2 / 3)) "$tmp/run.rec" >"$tmp/cut.rec"
start --replay "$tmp/cut.rec" || fail damaged "no view"
until_ok 10 on_screen ' REPLAY ' || fail damaged "$(status)"
key q
until_ok 10 test -s "$tmp/rc"
if [ "$(cat "$tmp/rc" 2>/dev/null)" = 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	grep -q 'the view showed what came before it' "$tmp/err"; then
	ok damaged
else
	fail damaged "exit $(cat "$tmp/rc" 2>/dev/null): $(cat "$tmp/err")"
fi
finish
