#!/bin/sh
# kbackport boot records what the rest of the host did while QEMU ran
# (tool/boot/qemu.c, "host" in the boot record): the debian-6.12 base image
# booted with the smoke workload as the machine is, then as round 2 with two
# CPU-bound processes beside it. The loaded boot must say busy with its
# reason; the quiet one must not, unless other work on this machine already
# made it busy (a skip that says so). Round 2 is kept beside round 1.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
K=debian-6.12
R=$KBACKPORT_WORK/results/$SNAME/$K/base

image_built() {
	use_built $K base
}

# host_sane FILE: the record's host figures are there and busy follows its rule.
host_sane() {
	python3 - "$1" <<-'EOF'
	import json, os, sys
	h = json.load(open(sys.argv[1]))["host"]
	print(h)
	keys = {"wall_seconds", "qemu_cpu_seconds", "other_cpu_seconds", "other_cpus", "steal_seconds",
	        "loadavg_start", "loadavg_end", "nproc", "busy", "reason"}
	assert set(h) == keys, sorted(h)
	assert h["nproc"] == os.cpu_count() and h["wall_seconds"] > 1 and h["qemu_cpu_seconds"] > 0.5, h
	assert abs(h["other_cpus"] - h["other_cpu_seconds"] / h["wall_seconds"]) < 0.01, h
	busy = h["other_cpus"] > 0.25 or h["steal_seconds"] > 0.05 * h["wall_seconds"]
	assert h["busy"] == busy and (h["reason"] is not None) == busy, h
	EOF
}

quiet_boot() {
	"$KB" boot $K --workload smoke --force >"$T/quiet.out" 2>&1
	rc=$?
	cat "$T/quiet.out"
	[ $rc = 0 ] && host_sane $R/smoke.json &&
	grep -Eq "^$K base: host (quiet|busy): other processes [0-9.]+ CPUs on average, steal [0-9.]+ s, load [0-9.]+ to [0-9.]+ \(nproc [0-9]+\)$" "$T/quiet.out"
}

# Two shells spinning for the whole boot take about a CPU from QEMU.
loaded_boot() {
	sh -c 'while :; do :; done' &
	spin1=$!
	sh -c 'while :; do :; done' &
	spin2=$!
	"$KB" boot $K --workload smoke --round 2 --force >"$T/loaded.out" 2>&1
	rc=$?
	kill $spin1 $spin2
	wait $spin1 $spin2 2>/dev/null
	cat "$T/loaded.out"
	[ $rc = 0 ] && host_sane $R/smoke.round-2.json &&
	grep -q "^$K base round 2: host busy: " "$T/loaded.out" &&
	python3 - $R/smoke.round-2.json <<-'EOF'
	import json, re, sys
	b = json.load(open(sys.argv[1]))
	h = b["host"]
	assert b["round"] == 2 and h["busy"] is True, b
	assert h["other_cpus"] > 0.5, h
	assert re.fullmatch(r"other processes used \d+\.\d\d CPUs on average \(nproc \d+\)(; .*)?", h["reason"]), h
	EOF
}

# Why the quiet boot was busy, empty when it was not; fails without a host record.
quiet_busy_reason() {
	python3 -c 'import json, sys; h = json.load(open(sys.argv[1]))["host"]; print(h["reason"] if h["busy"] else "")' \
		$R/smoke.json
}

round_kept() {
	python3 -c 'import json, sys; b = json.load(open(sys.argv[1])); sys.exit(b["round"] != 1)' $R/smoke.json &&
	[ -s $R/smoke.round-2.console.log ] && [ "$(readlink $R/console.log)" = smoke.round-2.console.log ] &&
	"$KB" boot $K --workload smoke --round 2 >"$T/again.out" 2>&1 && cat "$T/again.out" &&
	grep -q "^$K base round 2: verdict: clean, workload done (stored result" "$T/again.out" &&
	"$KB" boot $K --workload smoke >"$T/again1.out" 2>&1 && cat "$T/again1.out" &&
	grep -q "^$K base: verdict: clean, workload done (stored result" "$T/again1.out" &&
	expect_exit 2 "$KB" boot $K --round 17 2>"$T/err" && one_error "$T/err" "--round takes a number from 1 to 16, not '17'" &&
	expect_exit 2 "$KB" boot $K --round 0 2>"$T/err" && one_error "$T/err" "not '0'"
}

check "the base image is built" image_built
check "a boot records the host's load: figures, busy by its rule, the line printed" quiet_boot
check "two CPU-bound processes beside a boot: busy, with the reason" loaded_boot
# not busy, unless other work on this machine already made it so
if ! reason=$(quiet_busy_reason); then
	check "the quiet boot: not busy" false
elif [ -z "$reason" ]; then
	check "the quiet boot: not busy" true
else
	skip "the quiet boot: not busy" "this machine was busy with other work: $reason"
fi
check "--round 2 is kept beside round 1, each reused; 1 to 16" round_kept
done_testing
