#!/bin/sh
# The debug flavour on debian-6.12: the port's tip built with
# kernels/config/debug.config (lockdep, sleep-in-atomic, list debugging,
# KASAN), booted with the dio checks (quick settings, no fio): a clean
# console and 0 mismatches; then a real sleep-in-atomic (LKDTM SPINLOCKUP
# returns to user space holding a spinlock; the shell's next system call
# sleeps) caught as a splat with its trace, and the report's debug stage failing on
# it. Any splat the series' locking provokes fails the first check.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
K=debian-6.12
R=$KBACKPORT_WORK/results/$SNAME/$K/debug
QUICK='DIO_BENCH=none DIO_CHECK=quick DIO_CHECK_ROUNDS=1 DIO_RACE_ROUNDS=40 DIO_LATENCY_US=2000'

use_tree $K || exit 1
"$KB" port $K >/dev/null 2>&1

debug_built() {
	"$KB" build $K --variant debug >"$T/build.out" 2>&1 || { tail -n 30 "$T/build.out"; return 1; }
	grep -q "^$K debug: config tinyconfig + qemu-minimal.config + debug.config: " "$T/build.out" &&
	c=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["build_dir"])' $R/build.json) &&
	for o in PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_LIST KASAN KASAN_INLINE; do
		grep -qx "CONFIG_$o=y" "$c/.config" || { echo "CONFIG_$o not set"; return 1; }
	done &&
	[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["commit"])' $R/build.json)" = \
	  "$(git -C $KBACKPORT_WORK/trees/$K rev-parse backport/ext4-dio-shared-lock/$K)" ]
}
check "build --variant debug: the port's tip with lockdep, atomic-sleep, list and KASAN checks" debug_built

debug_checks_clean() {
	"$KB" boot $K --variant debug --workload dio --append "$QUICK" --force >"$T/boot.out" 2>&1
	rc=$?
	tail -n 12 "$T/boot.out"
	python3 - $R/dio.json <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["verdict"] == "clean" and b["findings"] == [], (b["verdict"], b["findings"])
	t = {x["name"]: x["status"] for x in b["result"]["tests"]}
	assert t["correctness-ext4"] == "pass" and t["correctness-ext3"] == "pass" and t["ext3-race"] == "pass", t
	assert t["bench-test1"] == "skip" and b["result"]["settings"]["bench"] == "none", t
	assert b["result"]["nowait"]["cases"], "no NOWAIT run"
	assert "nowait-patched-debian-6.12.json" in b["result"]["nowait"]["expect_file"], b["result"]["nowait"]["expect_file"]
	EOF
}
check "the debug kernel runs the correctness suite and the NOWAIT table with no splat" debug_checks_clean

splat_caught() {
	printf 'echo SPINLOCKUP >/sys/kernel/debug/provoke-crash/DIRECT\nsleep 1\n' >"$T/atomic.sh"
	"$KB" boot $K --variant debug --workload "$T/atomic.sh" >"$T/atomic.out" 2>&1
	rc=$?
	cat "$T/atomic.out"
	[ $rc = 8 ] && python3 - $R/atomic.json <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	f = [x for x in b["findings"] if x["kind"] == "atomic-sleep"]
	assert f and "sleeping function called from invalid context" in f[0]["text"], b["findings"]
	assert any("Call Trace:" in l for l in f[0]["trace"]), f[0]["trace"]
	assert any(x["kind"] == "lockdep" and "lock held when returning to user space" in x["text"]
		   for x in b["findings"]), b["findings"]
	EOF
}
check "a real sleep in atomic context (LKDTM SPINLOCKUP) is caught with its call trace, and lockdep's report (exit 8)" splat_caught

report_fails_stage() {
	mkdir -p "$T/w/results/$SNAME/$K/debug" "$T/w/ports/$SNAME/$K" &&
	cp $KBACKPORT_WORK/ports/$SNAME/$K/port.json "$T/w/ports/$SNAME/$K/" && cp $R/build.json "$T/w/results/$SNAME/$K/debug/" &&
	cp $R/atomic.json "$T/w/results/$SNAME/$K/debug/dio.json" &&
	KBACKPORT_WORK=$T/w "$KB" report --kernels $K >"$T/report" 2>&1
	cat "$T/report"
	grep -q "^$K: ✘ debug: debug atomic: kernel verdict bug$" "$T/report" &&
	grep -q "^$K: debug lockdep at console line [0-9]*: .*WARNING: lock held when returning to user space" "$T/report" &&
	grep -q "^$K: debug atomic-sleep at console line [0-9]*: .*BUG: sleeping function called from invalid context" "$T/report" &&
	grep -q "^    .*Call Trace:" "$T/report"
}
check "the report's debug stage fails on the splat and shows its trace" report_fails_stage

done_testing
