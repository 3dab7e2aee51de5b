#!/bin/sh
# The fuzzing harnesses (tests/fuzz/, libFuzzer, ASan + UBSan) replay the
# seed corpus and every crash reproducer kept in tests/fuzz/crashes/; the
# unit tests run again under ASan + UBSan. A campaign is `make fuzz`.
. "$(dirname "$0")/lib.sh"
F=$ROOT/work/fuzz
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
# the series harness's scratch directory goes here, not to /tmp
export TMPDIR="$T"

built() {
	for n in mbox diff series match; do
		[ -x "$F/fuzz-$n" ] || { echo "no $F/fuzz-$n: run make fuzz-build"; return 1; }
	done
}
check "the four harnesses are built (make fuzz-build)" built

sh tests/fuzz/seeds.sh >"$T/seeds.out" 2>&1

# replay NAME DIR-OR-FILES...: each input once; any sanitizer report or abort fails.
replay() {
	n=$1
	shift
	"$F/fuzz-$n" -runs=0 -close_fd_mask=1 "$@" >"$T/replay-$n.out" 2>&1
	rc=$?
	grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$T/replay-$n.out" && return 1
	tail -n 2 "$T/replay-$n.out"
	[ $rc = 0 ]
}

for n in mbox diff series match; do
	check "$n: the corpus replays clean ($(ls "$F/corpus/$n" | wc -l) inputs)" replay "$n" "$F/corpus/$n"
	check "$n: every crash reproducer runs clean ($(ls tests/fuzz/crashes/$n | wc -l) inputs)" \
		replay "$n" tests/fuzz/crashes/$n/*
done

san_unit() {
	"$ROOT/work/san/run-unit" >"$T/unit.out" 2>&1
	rc=$?
	tail -n 1 "$T/unit.out"
	! grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/unit.out" && [ $rc = 0 ]
}
check "the unit tests pass under ASan and UBSan" san_unit
check "the harnesses leave no scratch directory behind" test -z "$(ls "$T" | grep '^kb-fuzz-')"

done_testing
