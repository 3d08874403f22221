#!/usr/bin/env bash
# tests/demos.sh - runs every demo listed in demos/demos.def and checks that
# it works and cleans up after itself.
#
#   tests/demos.sh [DIR]     DIR holds the built demos (default build/demos)
#
# For each demo: --help and a bad option give the usage line (exit 0 and 2);
# a run with --pace 0 exits 0 within 20 s, writes nothing on stderr, and
# leaves no new SysV object (ipcs), no new entry in /tmp and no process of
# its own behind. Then fifo, unix-socket and msgqueue are started at the
# default pace, sent SIGINT after 1.5 s, and must exit non-zero promptly
# with the same nothing-left-behind checks; and once more with the SIGINT
# sent as soon as they have children, so that killing and reaping those is
# tested too.
#
# Leftovers are found by comparing `ipcs` and `ls /tmp` just before and
# after each run. Other programs create files in /tmp and SysV objects too
# (a compiler, another test suite), and those would be blamed on the demo.
# So when it can (as root, or in a user namespace), the script runs itself
# again in private IPC and mount namespaces, with a fresh tmpfs on /tmp:
# there every difference is the demos'. Otherwise, or when
# IPCSCOPE_DEMOS_PRIVATE=0, it compares the shared ones: run it on a quiet
# machine then.
#
# Only processes this script started (and their children) are ever killed,
# always by pid.
set -u

bindir=${1:-build/demos}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
def=$root/demos/demos.def
run_timeout=20
sigint_after=1.5
sigint_grace=50   # tenths of a second an interrupted demo may take to exit
child_wait=100    # tenths of a second to wait for a demo's first child
interrupted=(fifo unix-socket msgqueue)

if [ -z "${IPCSCOPE_DEMOS_PRIVATE:-}" ]; then
	for ns in "--ipc --mount" "--map-root-user --ipc --mount"; do
		# shellcheck disable=SC2086 # $ns is a list of options
		if unshare $ns true 2>/dev/null; then
			IPCSCOPE_DEMOS_PRIVATE=1 exec unshare $ns -- \
				bash "${BASH_SOURCE[0]}" "$@"
		fi
	done
fi

# In our own mount namespace: a fresh /tmp. The repository and the built
# demos may themselves live under /tmp (CI clones there): those are bound
# back in at the same paths, because the fifo demo re-executes itself by
# its path and demos.def is read from the repository.
private_tmp() {
	local paths=() fds=() p i fd

	for p in "$root" "$(realpath "$bindir")"; do
		case $p in /tmp/*) ;; *) continue ;; esac
		exec {fd}<"$p" || return 1
		paths+=("$p")
		fds+=("$fd")
	done
	mount -t tmpfs -o mode=1777 ipcscope-demos /tmp || return 1
	for i in "${!paths[@]}"; do
		mkdir -p "${paths[$i]}" || return 1
		mount --no-canonicalize --bind "/proc/$$/fd/${fds[$i]}" \
			"${paths[$i]}" || return 1
	done
	for fd in "${fds[@]}"; do
		exec {fd}<&-
	done
}

if [ "${IPCSCOPE_DEMOS_PRIVATE:-}" = 1 ]; then
	if ! private_tmp; then
		echo "demos.sh: cannot set up a private /tmp" >&2
		exit 2
	fi
	echo "demos.sh: private /tmp and SysV IPC namespace" >&2
else
	echo "demos.sh: shared /tmp and SysV IPC namespace" >&2
fi

passed=0
failed=0

ok() { printf 'ok %s\n' "$1"; passed=$((passed + 1)); }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; failed=$((failed + 1)); }

# Made before the first snapshot, so it is never counted as a leftover.
work=$(mktemp -d /tmp/ipcscope-demos-test.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

# Every SysV object and every entry in /tmp, one per line, sorted.
snapshot() {
	{
		ipcs -q | awk '$1 ~ /^0x/ { print "msg queue " $2 }'
		ipcs -m | awk '$1 ~ /^0x/ { print "shm segment " $2 }'
		ipcs -s | awk '$1 ~ /^0x/ { print "sem array " $2 }'
		find /tmp -mindepth 1 -maxdepth 1
	} | LC_ALL=C sort
}

# What snapshot $2 has that snapshot $1 had not, on one line.
added() {
	LC_ALL=C comm -13 "$1" "$2" | paste -sd ' ' -
}

# True while pid $1 exists and is not a zombie.
alive() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "${state:0:1}" != Z ]
}

# Kills the listed pids (our own demo's leftovers) and says which they were.
kill_pids() {
	local pid list=
	for pid in "$@"; do
		if alive "$pid"; then
			list="$list $pid($(ps -o comm= -p "$pid"))"
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	printf '%s' "${list# }"
}

first_line() {
	head -n 1 "$1" | cut -c 1-200
}

check_catalog() {
	local src name missing=
	for src in "$root"/demos/*.c; do
		name=$(basename "$src" .c)
		[ "$name" = demo ] && continue
		grep -q "^DEMO(\"$name\"," "$def" || missing="$missing $name"
	done
	if [ -n "$missing" ]; then
		fail demos.def "not listed:$missing"
	else
		ok demos.def
	fi
}

check_usage() {
	local name=$1 bin=$bindir/$1 rc

	"$bin" --help >"$work/out" 2>"$work/err"
	rc=$?
	if [ $rc -ne 0 ] || ! grep -q "^usage: $name " "$work/out"; then
		fail "$name/usage" "--help: exit $rc, no 'usage: $name' line"
		return
	fi
	"$bin" --no-such-option >"$work/out" 2>"$work/err"
	rc=$?
	if [ $rc -ne 2 ] || ! grep -q "^usage: $name " "$work/err"; then
		fail "$name/usage" "bad option: exit $rc (want 2 and a usage line)"
		return
	fi
	ok "$name/usage"
}

check_run() {
	local name=$1 bin=$bindir/$1 tpid rc left stray group

	snapshot >"$work/before"
	# timeout puts itself and the demo in a new process group, led by
	# itself: whatever is still in that group afterwards was left behind.
	timeout -k 5 "$run_timeout" "$bin" --pace 0 \
		>"$work/out" 2>"$work/err" &
	tpid=$!
	wait "$tpid"
	rc=$?
	mapfile -t group < <(pgrep -g "$tpid")
	stray=$(kill_pids "${group[@]}")
	snapshot >"$work/after"
	left=$(added "$work/before" "$work/after")

	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail "$name" "timed out after $run_timeout s"
	elif [ $rc -ne 0 ]; then
		fail "$name" "exit status $rc: $(first_line "$work/err")"
	elif [ -s "$work/err" ]; then
		fail "$name" "wrote to stderr: $(first_line "$work/err")"
	elif ! grep -Eq '^[a-z-]+\[[0-9]+\]: ' "$work/out"; then
		fail "$name" "no narration lines on stdout"
	elif [ -n "$stray" ]; then
		fail "$name" "left processes running: $stray"
	elif [ -n "$left" ]; then
		fail "$name" "left behind: $left"
	else
		ok "$name"
	fi
}

# check_interrupt NAME when: when is "after" (1.5 s) or "children" (as
# soon as the demo has a child process).
check_interrupt() {
	local name=$1 when=$2 bin=$bindir/$1 pid rc kids=() left stray
	local check=$1/sigint tenths=0

	snapshot >"$work/before"
	"$bin" >"$work/out" 2>"$work/err" &
	pid=$!
	if [ "$when" = children ]; then
		check=$name/sigint-with-children
		while [ -z "$(pgrep -P "$pid")" ] && alive "$pid" &&
			[ $tenths -lt $child_wait ]; do
			sleep 0.1
			tenths=$((tenths + 1))
		done
		tenths=0
	else
		sleep "$sigint_after"
	fi
	mapfile -t kids < <(pgrep -P "$pid")
	if [ "$when" = children ] && [ ${#kids[@]} -eq 0 ]; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		fail "$check" "no child process within $((child_wait / 10)) s"
		return
	fi
	kill -INT "$pid"

	while alive "$pid" && [ $tenths -lt $sigint_grace ]; do
		sleep 0.1
		tenths=$((tenths + 1))
	done
	if alive "$pid"; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		kill_pids "${kids[@]}" >/dev/null
		fail "$check" "still running $((sigint_grace / 10)) s after SIGINT"
		return
	fi
	wait "$pid"
	rc=$?
	# The demo is gone; its children must be too.
	stray=$(kill_pids "${kids[@]}")
	snapshot >"$work/after"
	left=$(added "$work/before" "$work/after")

	if [ $rc -eq 0 ]; then
		fail "$check" "exit status 0 after SIGINT"
	elif [ -n "$stray" ]; then
		fail "$check" "left processes running: $stray"
	elif [ -n "$left" ]; then
		fail "$check" "left behind: $left"
	else
		ok "$check"
	fi
}

if [ ! -r "$def" ]; then
	echo "demos.sh: cannot read $def" >&2
	exit 2
fi
names=$(sed -n 's/^DEMO("\([^"]*\)".*/\1/p' "$def")

check_catalog
for name in $names; do
	if [ ! -x "$bindir/$name" ]; then
		fail "$name" "not built: no $bindir/$name"
		continue
	fi
	check_usage "$name"
	check_run "$name"
done
for name in "${interrupted[@]}"; do
	if [ -x "$bindir/$name" ]; then
		check_interrupt "$name" after
		check_interrupt "$name" children
	else
		fail "$name/sigint" "not built: no $bindir/$name"
	fi
done

echo "demos: $passed passed, $failed failed"
[ $failed -eq 0 ]
