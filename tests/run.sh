#!/usr/bin/env bash
# Runs the test suites and sums them up in one closing line.
#   tests/run.sh            everything
#   tests/run.sh unit       only the unit tests (no privileges needed)
#   tests/run.sh vm         what runs under other kernels (make vmtest):
#                           unit tests and every integration test
# Integration and terminal tests need root and BPF: they fail when they
# cannot have them, unless IPCSCOPE_SKIP_BPF=1 asks to skip them. "all"
# ends with the vm suite under Debian 12's 6.1 and 6.12 kernels in qemu
# (tests/vmtest/vmtest.sh), unless IPCSCOPE_SKIP_VMTEST=1.
set -u
cd "$(dirname "$0")/.."

what=${1:-all}
passed=0 failed=0 skipped=0
failures=()

# Adds the counts of a suite's closing line "NAME: N passed, M failed[, K skipped]".
tally() {
	local name=$1 out=$2 rc=$3 line p f s
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $name: no result line (exit $rc)"
		failed=$((failed + 1)); failures+=("$name"); return
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.*passed, ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(sed -nE 's/.*failed, ([0-9]+) skipped.*/\1/p' <<<"$line")
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		failures+=("$name")
		[ "$f" -gt 0 ] || failed=$((failed + 1))
	fi
}

run_suite() {
	local name=$1; shift
	local out
	out=$(mktemp)
	echo "== $name"
	"$@" 2>&1 | tee "$out"
	tally "$name" "$out" "${PIPESTATUS[0]}"
	rm -f "$out"
}

# cmocka binaries: each prints "[  PASSED  ] N test(s)." and, on failure,
# "[  FAILED  ] N test(s)".
unit_suite() {
	local dir=$1 p=0 f=0 out bin n
	for bin in "$dir"/tests/unit/test_*; do
		[ -x "$bin" ] || continue
		case "$bin" in *.o|*.d) continue;; esac
		out=$(mktemp)
		"$bin" >"$out" 2>&1
		local rc=$?
		n=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test.*/\1/p' "$out" | tail -n 1)
		p=$((p + ${n:-0}))
		n=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test.*/\1/p' "$out" | tail -n 1)
		if [ $rc -ne 0 ]; then
			cat "$out"
			f=$((f + ${n:-1}))
		fi
		echo "$(basename "$bin"): exit $rc"
		rm -f "$out"
	done
	echo "unit: $p passed, $f failed"
	[ $f -eq 0 ]
}

run_suite unit unit_suite build
[ "$what" != vm ] && [ -d build/san/tests/unit ] &&
	run_suite unit-asan unit_suite build/san

if [ "$what" = vm ]; then
	run_suite integration env IPCSCOPE_RUNS=3 python3 tests/integration/run.py
fi
if [ "$what" = all ]; then
	run_suite integration python3 tests/integration/run.py
	# the data path for kernels without bpf_rdonly_cast (before 6.2)
	run_suite integration-portable env IPCSCOPE_REFUSE=fast-data \
		IPCSCOPE_RUNS=3 python3 tests/integration/run.py
	# the core once with each optional feature refused: still exact
	for feature in $(build/ipcscope -v --json -o /dev/null -- true 2>&1 |
			 sed -nE 's/^ipcscope: feature ([a-z0-9-]+): .*/\1/p'); do
		[ "$feature" = fast-data ] && continue	# the whole suite above
		run_suite "refused-$feature" env IPCSCOPE_REFUSE="$feature" \
			python3 tests/integration/run.py --core
	done
	[ -x build/san/ipcscope ] && run_suite integration-asan \
		env IPCSCOPE=build/san/ipcscope ASAN_OPTIONS=detect_leaks=1 \
		python3 tests/integration/run.py --quick
	run_suite demos tests/demos.sh build/demos
	[ -x tests/terminal/test_ui.sh ] && run_suite terminal tests/terminal/test_ui.sh
	[ -x tests/terminal/test_lessons.sh ] && run_suite lessons tests/terminal/test_lessons.sh
	[ -x tests/terminal/test_noise.sh ] && run_suite terminal-noise tests/terminal/test_noise.sh
	# the failure table, bounded (make stress runs it whole)
	run_suite stress env STRESS_QUICK=1 python3 tests/stress/run.py
	[ -x tests/terminal/test_step.sh ] && run_suite terminal-step tests/terminal/test_step.sh
	[ -x tests/terminal/test_time.sh ] && run_suite terminal-time tests/terminal/test_time.sh
	[ -x build/san/ipcscope ] && [ -x tests/terminal/test_time.sh ] && run_suite terminal-time-asan \
		env IPCSCOPE=build/san/ipcscope ASAN_OPTIONS=detect_leaks=1 tests/terminal/test_time.sh
	if [ "${IPCSCOPE_SKIP_VMTEST:-}" = 1 ]; then
		echo "== vmtest: skipped (IPCSCOPE_SKIP_VMTEST=1)"
	else
		run_suite vmtest env IPCSCOPE_REQUIRE_IA32=1 tests/vmtest/vmtest.sh
	fi
fi

echo
[ ${#failures[@]} -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ ${#failures[@]} -eq 0 ]
