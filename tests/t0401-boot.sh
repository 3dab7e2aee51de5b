#!/bin/sh
# kbackport boot: the debian-6.12 base image t0400 built, booted in QEMU
# (KVM when a probe boot works here, else TCG) with the built-in workloads:
# smoke must come back clean with its framed result, warn must be caught as
# a warning, hang must be killed at the timeout, bad workloads refused.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
K=debian-6.12
R=$KBACKPORT_WORK/results/$SNAME/$K/base

# The fixture's base image (tests/fixture.sh), in this script's store.
image_built() {
	use_built $K base
}

smoke_clean() {
	"$KB" boot $K --workload smoke --force >"$T/smoke.out" 2>&1
	rc=$?
	cat "$T/smoke.out"
	[ $rc = 0 ] &&
	grep -q "^$K base: verdict: clean " "$T/smoke.out" &&
	grep -Eq "^$K base: booting bzImage with (kvm|tcg) " "$T/smoke.out" &&
	python3 - "$R/smoke.json" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["verdict"] == "clean" and b["workload_status"] == "done", b
	assert b["workload_exit"] == 0 and not b["timed_out"] and b["findings"] == [], b
	assert b["accelerator"] in ("kvm", "tcg") and b["vcpus"] == 2, b
	assert b["boot"]["init_seconds"] > 0, b["boot"]
	r = b["result"]
	assert r["workload"] == "smoke" and r["nproc"] == 2, r
	names = [t["name"] for t in r["tests"]]
	assert names == ["cpus-online", "ext4-extents", "ext4-noextents"], names
	assert all(t["status"] == "pass" for t in r["tests"]), r["tests"]
	EOF
}

console_log_kept() {
	[ -L $R/console.log ] && [ "$(readlink $R/console.log)" = smoke.console.log ] &&
	grep -q "Linux version" $R/smoke.console.log &&
	grep -q "^@@KB-RESULT-BEGIN@@" $R/smoke.console.log
}

stored_result_reused() {
	"$KB" boot $K --workload smoke >"$T/again.out" 2>&1
	rc=$?
	cat "$T/again.out"
	[ $rc = 0 ] && grep -q "^$K base: verdict: clean, workload done (stored result" "$T/again.out" &&
	! grep -q "booting" "$T/again.out"
}

warn_caught() {
	"$KB" boot $K --workload warn --force >"$T/warn.out" 2>&1
	rc=$?
	cat "$T/warn.out"
	[ $rc = 8 ] && grep -q "^$K base: verdict: warn " "$T/warn.out" &&
	python3 - "$R/warn.json" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["verdict"] == "warn", b["verdict"]
	kinds = [f["kind"] for f in b["findings"]]
	assert "warning" in kinds, b["findings"]
	assert any("WARNING:" in f["text"] for f in b["findings"]), b["findings"]
	assert b["console_tail"], b
	EOF
}

hang_killed() {
	start=$(date +%s)
	"$KB" boot $K --workload hang --timeout 20 --force >"$T/hang.out" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	cat "$T/hang.out"
	[ $rc = 8 ] && [ $took -lt 60 ] &&
	grep -q "^$K base: verdict: hang " "$T/hang.out" &&
	grep -q "no end after 20 s: QEMU killed" "$T/hang.out" &&
	grep -q "| hang: sleeping until the host gives up" "$T/hang.out" &&
	python3 - "$R/hang.json" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["verdict"] == "hang" and b["timed_out"] and b["workload_status"] == "unfinished", b
	EOF
}

# A user's script runs from the image like a built-in, and its failure is not a pass.
file_workload_failure() {
	cat >"$T/probe-fs.sh" <<-'EOF'
	echo "@@KB-RESULT-BEGIN@@"
	echo "{\"workload\": \"probe-fs\", \"ext4\": $(grep -c ext4 /proc/filesystems)}"
	echo "@@KB-RESULT-END@@"
	exit 3
	EOF
	"$KB" boot $K --workload "$T/probe-fs.sh" >"$T/file.out" 2>&1
	rc=$?
	cat "$T/file.out"
	[ $rc = 9 ] && grep -q "^$K base: workload probe-fs: failed (exit 3)" "$T/file.out" &&
	python3 - "$R/probe-fs.json" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["verdict"] == "clean" and b["workload_status"] == "failed", b
	assert b["result"] == {"workload": "probe-fs", "ext4": 1}, b["result"]
	assert b["workload"]["builtin"] is False, b["workload"]
	EOF
}

# lkdtm WORKLOAD CRASHTYPE VERDICT: a user's script provokes a crash through LKDTM.
lkdtm() {
	echo "echo $2 >/sys/kernel/debug/provoke-crash/DIRECT" >"$T/$1.sh"
	"$KB" boot $K --workload "$T/$1.sh" >"$T/$1.out" 2>&1
	rc=$?
	cat "$T/$1.out"
	[ $rc = 8 ] && grep -q "^$K base: verdict: $3 " "$T/$1.out" &&
	python3 - "$R/$1.json" "$3" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["verdict"] == sys.argv[2], b["verdict"]
	assert sys.argv[2] in [f["kind"] for f in b["findings"]], b["findings"]
	EOF
}

missing_workload_file() {
	expect_exit 3 "$KB" boot $K --workload "$T/nope.sh" 2>"$T/err" >/dev/null &&
	cat "$T/err" && grep -qx "error: workload file '$T/nope.sh' does not exist" "$T/err"
}

unknown_workload() {
	expect_exit 3 "$KB" boot $K --workload frob 2>"$T/err" >/dev/null &&
	cat "$T/err" &&
	grep -Eqx "error: unknown workload 'frob' \(built-in: ([a-z0-9_-]+, )*hang, ([a-z0-9_-]+, )*smoke, ([a-z0-9_-]+, )*warn(, [a-z0-9_-]+)*; or give a script file\)" "$T/err"
}

not_built() {
	KBACKPORT_WORK="$T/empty" expect_exit 3 "$KB" boot $K 2>"$T/err" >/dev/null &&
	cat "$T/err" && grep -q "^error: $K base is not built .*run 'kbackport build $K --variant base'$" "$T/err"
}

check "the base image is built" image_built
check "smoke: verdict clean, framed result parsed, every check passed" smoke_clean
check "the console log is kept, console.log points at the latest" console_log_kept
check "the same boot again reuses the stored result" stored_result_reused
check "warn: a kernel WARNING gives verdict warn (exit 8)" warn_caught
check "hang: killed at --timeout 20, verdict hang with the last lines (exit 8)" hang_killed
check "a workload file runs; its failure is reported, not passed (exit 9)" file_workload_failure
check "a kernel BUG (LKDTM) gives verdict oops (exit 8)" lkdtm lkdtm-bug BUG oops
check "a kernel panic (LKDTM) gives verdict panic (exit 8)" lkdtm lkdtm-panic PANIC panic
check "a missing workload file: exit 3" missing_workload_file

# A series directory is the user's, not ours: a table whose name would add
# lines to gen_init_cpio's list is refused before the image is made (exit 4).
hostile_table_name() {
	# the same name: the fixture's build is stored under it
	e=$T/evil/$SNAME
	mkdir -p "$e" && cp -r "$SERIES/." "$e/" &&
	printf '{}' >"$e/expect/x 0644 0 0
file init" &&
	expect_exit 4 "$KB" boot $K --series "$e" --force 2>"$T/err" >/dev/null &&
	one_error "$T/err" "its name or path has a blank or control character"
}
check "a series table whose name would add image entries: refused (exit 4)" hostile_table_name
check "an unknown workload name lists the built-in ones: exit 3" unknown_workload
check "an unbuilt kernel: exit 3 saying how to build it" not_built
done_testing
