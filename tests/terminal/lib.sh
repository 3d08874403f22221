# tests/terminal/lib.sh - what the terminal tests share: the counts and the
# closing line `SUITE: N passed, M failed` that tests/run.sh sums, the
# skip rule (what a test needs missing is a failure, unless
# IPCSCOPE_SKIP_BPF=1 asks for a skip), and polling with a deadline.
# A test sets suite=NAME, then sources this from the repository's root.

passed=0 failed=0

ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
# a lesson the view cannot show yet: said, not counted
todo() { echo "todo $1: $2"; }

finish() {
	echo "$suite: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

skip() {
	if [ "${IPCSCOPE_SKIP_BPF:-}" != 1 ]; then
		fail setup "$1 (IPCSCOPE_SKIP_BPF=1 skips these tests)"
		finish
	fi
	echo "SKIP $suite (IPCSCOPE_SKIP_BPF=1): $1"
	echo "$suite: 0 passed, 0 failed, 1 skipped"
	exit 0
}

# until_ok SECONDS CMD...: polls until CMD succeeds; 1 when time is up
until_ok() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}
