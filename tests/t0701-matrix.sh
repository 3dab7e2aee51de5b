#!/bin/sh
# kbackport matrix: bad options; a throwaway kernel ("junk", a git tree
# that is no kernel) gives each stage's exit code and skips the later
# stages; bench rounds run base and patched in turn and a disturbed bench
# exits 10; the posted stage is skipped without local fixes; one matrix at
# a time per work dir; then debian-6.12 (port and build, which t0400/t0402
# built: every build step a reuse) killed while a build step runs, and run
# again to resume.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
K=debian-6.12

bad_options() {
	expect_exit 2 "$KB" matrix --stages port,cook 2>"$T/err" && one_error "$T/err" "unknown stage 'cook'" &&
	expect_exit 2 "$KB" matrix --runner vbox 2>"$T/err" && one_error "$T/err" "unknown runner 'vbox'" &&
	expect_exit 2 "$KB" matrix --jobs 0 2>"$T/err" && one_error "$T/err" "--jobs takes a number" &&
	expect_exit 2 "$KB" matrix --rounds 17 2>"$T/err" && one_error "$T/err" "--rounds takes a number from 1 to 16, not '17'" &&
	expect_exit 2 "$KB" matrix --runner lava --rounds 2 2>"$T/err" &&
	one_error "$T/err" "--rounds 2 needs 'kbackport boot' (runner qemu or ssh)" &&
	expect_exit 3 "$KB" matrix --kernels nosuch 2>"$T/err" && one_error "$T/err" "nosuch" &&
	expect_exit 4 "$KB" matrix --kernels $K --runner ssh 2>"$T/err" &&
	one_error "$T/err" "kernels/$K.yaml' boots with runner 'qemu', not 'ssh'"
}

# The junk kernel: fs/ext4 files the series cannot apply to, a Makefile that builds nothing.
mkdir -p "$T/junk/fs/ext4" "$T/kernels"
for f in file.c inode.c ext4.h; do echo "int junk;" >"$T/junk/fs/ext4/$f"; done
echo "all:" >"$T/junk/Makefile"
git -C "$T/junk" init -q && git -C "$T/junk" add -A &&
	git -C "$T/junk" -c user.name=t -c user.email=t@t commit -qm junk || exit 1
printf 'name: junk\nsource:\n  git: {path: %s, ref: HEAD}\narch: x86_64\nconfig:\n  base: tinyconfig\n' \
	"$T/junk" >"$T/kernels/junk.yaml"

junk() {
	KBACKPORT_WORK="$T/work" KBACKPORT_KERNELS_DIR="$T/kernels" "$KB" matrix --kernels junk "$@"
}

# steps FILE: name=status of every step in a matrix.json, in order.
steps() {
	python3 -c 'import json, sys; print(" ".join(s["name"] + "=" + s["status"] for s in json.load(open(sys.argv[1]))["steps"]))' "$1"
}

stage_codes() {
	for s in port:6 build:7 boot:8 bench:9 posted:9 debug:9; do
		junk --stages "${s%:*}" >"$T/out" 2>&1
		rc=$?
		[ $rc = "${s#*:}" ] || { cat "$T/out"; echo "stage ${s%:*}: exit $rc, expected ${s#*:}"; return 1; }
		grep -q "^junk: ✘ ${s%:*}: step " "$T/out" || { cat "$T/out"; return 1; }
	done
	cat "$T/out"
	grep -q "^\[ *0:[0-9][0-9]\] junk build-debug: FAILED, exit " "$T/out" &&
	grep -q "^report: $T/work/report/index.html$" "$T/out" && [ -s "$T/work/report/report.json" ]
}

later_stages_skipped() {
	junk >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	[ $rc = 6 ] && grep -q '^\[ *0:[0-9][0-9]\] junk build-base: skipped (port failed)$' "$T/out" &&
	[ "$(steps "$T/work/results/$SNAME/junk/matrix.json")" = "import=pass port=fail build-base=skipped build-patched=skipped vendor-check=skipped boot-base=skipped boot-patched=skipped bench-base-1=skipped bench-patched-1=skipped bench-base-2=skipped bench-patched-2=skipped build-debug=skipped boot-debug=skipped build-posted=skipped boot-posted=skipped" ] &&
	grep -q "^junk: ✘ port: step port failed (exit [1-9]" "$T/out" && [ -s "$T/work/results/$SNAME/junk/matrix/port.log" ] &&
	# build-base fails first: build-patched and vendor-check still run, no boot starts
	junk --stages build,boot >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	[ $rc = 7 ] && ! grep -q "junk boot-base: kbackport boot" "$T/out" &&
	[ "$(steps "$T/work/results/$SNAME/junk/matrix.json")" = "build-base=fail build-patched=fail vendor-check=fail boot-base=skipped boot-patched=skipped" ]
}

# store_json REL: stdin's JSON as the store's record REL (results/<series>/junk/..., ports/<series>/junk/...),
# made newer than any step of the runs below: as if a command by hand had written it afterwards.
store_json() {
	python3 -c '
import json, os, sys, time
path = sys.argv[1]
o = json.load(sys.stdin)
o["schema"] = 1
os.makedirs(os.path.dirname(path), exist_ok=True)
json.dump(o, open(path, "w"))
os.utime(path, (time.time() + 3600, time.time() + 3600))' "$1"
}

# Three rounds: bench-base-N and bench-patched-N in turn, round N > 1 booted
# with --round N. The junk kernel's boots fail at once, so the records are
# written here, each round patched at 7x base, the host busy in patched's
# round 3: the bench is disturbed, which is neither a pass nor a failure (exit 10).
rounds_disturbed() {
	for r in 1 2 3; do
		for v in base:100 patched:700; do
			busy=false
			[ "$r$v" = 3patched:700 ] && busy=true
			name=dio.json
			[ $r = 1 ] || name=dio.round-$r.json
			store_json "$T/work/results/$SNAME/junk/${v%:*}/$name" <<-EOF
			{"kernel": "junk", "variant": "${v%:*}", "round": $r, "verdict": "clean", "workload_status": "done",
			 "workload": {"name": "dio"}, "findings": [], "boot": {"total_seconds": 150.0},
			 "host": {"busy": $busy, "reason": "other processes used 1.31 CPUs on average (nproc 2)"},
			 "result": {"tests": [{"name": "bench-test1", "status": "pass", "detail": "ok"}],
			            "bench": {"test1": [{"jobs": 8, "iops": ${v#*:}}]}}}
			EOF
		done
	done
	junk --stages bench --rounds 3 >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	[ $rc = 10 ] &&
	[ "$(steps "$T/work/results/$SNAME/junk/matrix.json")" = "bench-base-1=fail bench-patched-1=fail bench-base-2=fail bench-patched-2=fail bench-base-3=fail bench-patched-3=fail" ] &&
	[ "$(grep -o 'junk bench-[a-z]*-[0-9]: kbackport boot junk --variant [a-z]* --workload dio --series [^ ]*\( --round [0-9]\)*$' "$T/out" |
		sed 's/ --series [^ ]*//' | tr '\n' '|')" = "junk bench-base-1: kbackport boot junk --variant base --workload dio|junk bench-patched-1: kbackport boot junk --variant patched --workload dio|junk bench-base-2: kbackport boot junk --variant base --workload dio --round 2|junk bench-patched-2: kbackport boot junk --variant patched --workload dio --round 2|junk bench-base-3: kbackport boot junk --variant base --workload dio --round 3|junk bench-patched-3: kbackport boot junk --variant patched --workload dio --round 3|" ] &&
	grep -q '^junk: ≈ bench: patched round 3: the host was busy: other processes used 1.31 CPUs on average (nproc 2)$' "$T/out" &&
	grep -q '^junk: test1 at 8 jobs: patched/base 7.00x, median of rounds 7.00x, 7.00x, 7.00x; spread 0.00: disturbed$' "$T/out" &&
	! grep -q '^junk: ✘' "$T/out"
}

# Without local fixes (port.json's posted is its tip) there is no other series to boot.
posted_skipped() {
	echo '{"kernel": "junk", "series": "x", "branch": "backport/x/junk", "base": "b", "tip": "t", "posted": "t", "rej": null, "patches": [], "prereqs": []}' |
		store_json "$T/work/ports/$SNAME/junk/port.json" &&
	junk --stages posted >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	[ $rc = 0 ] &&
	grep -q '^\[ *0:[0-9][0-9]\] junk build-posted: skipped (no local fixes: patched is the series as posted)$' "$T/out" &&
	[ "$(steps "$T/work/results/$SNAME/junk/matrix.json")" = "build-posted=skipped boot-posted=skipped" ] &&
	echo '{"kernel": "junk", "series": "x", "branch": "backport/x/junk", "base": "b", "tip": "t", "posted": "p", "rej": null, "patches": [], "prereqs": []}' |
		store_json "$T/work/ports/$SNAME/junk/port.json" &&
	junk --stages posted >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	[ $rc = 9 ] && grep -q "^\[ *0:[0-9][0-9]\] junk build-posted: kbackport build junk --variant posted " "$T/out"
}

one_at_a_time() {
	flock "$T/work/matrix.lock" sleep 3 &
	sleep 1
	junk --stages port 2>"$T/err" >/dev/null
	rc=$?
	wait
	[ $rc = 1 ] && one_error "$T/err" "another 'kbackport matrix' is running on '$T/work'"
}

M=$KBACKPORT_WORK/results/$SNAME/$K/matrix.json
use_tree $K || exit 1

build_base_running() {
	python3 -c 'import json, sys; sys.exit(not any(s["name"] == "build-base" and s["status"] == "running" for s in json.load(open(sys.argv[1]))["steps"]))' $M 2>/dev/null
}

# Killed (SIGTERM) while build-base runs: the step's command is stopped with it, recorded as interrupted.
killed_during_build() {
	rm -f $M
	"$KB" matrix --kernels $K --stages port,build >"$T/kill.out" 2>&1 &
	pid=$!
	i=0
	until build_base_running; do
		i=$((i + 1))
		[ $i -lt 1500 ] && kill -0 $pid 2>/dev/null || { cat "$T/kill.out"; return 1; }
		sleep 0.2
	done
	sleep 2
	worker=$(python3 -c 'import json, sys; print([s["pid"] for s in json.load(open(sys.argv[1]))["steps"] if s["name"] == "build-base"][0])' $M)
	kill -TERM $pid
	wait $pid
	rc=$?
	cat "$T/kill.out"
	[ $rc = 143 ] && ! kill -0 "$worker" 2>/dev/null &&
	grep -q "build-base: interrupted after" "$T/kill.out" &&
	grep -q "interrupted (signal 15): run the matrix again to resume" "$T/kill.out" &&
	[ "$(steps $M)" = "import=pass port=pass build-base=interrupted build-patched=waiting vendor-check=waiting" ]
}

resumed() {
	"$KB" matrix --kernels $K --stages port,build >"$T/resume.out" 2>&1
	rc=$?
	cat "$T/resume.out"
	[ $rc = 0 ] &&
	[ "$(steps $M)" = "import=pass port=pass build-base=pass build-patched=pass vendor-check=pass" ] &&
	grep -q "^\[ *[0-9]*:[0-9][0-9]\] $K build-base: ok" "$T/resume.out" &&
	grep -Eq "^$K .* ✔ 0 new warn" "$T/resume.out"
}

check "bad options: one error line each" bad_options
check "each failing stage has its exit code (6, 7, 8, 9, 9, 9)" stage_codes
check "a failed port skips the later stages" later_stages_skipped
check "bench rounds run base and patched in turn; a disturbed bench exits 10" rounds_disturbed
check "the posted stage is skipped without local fixes, run with them" posted_skipped
check "one matrix at a time on a work dir" one_at_a_time
check "killed during a build step: stopped, recorded as interrupted" killed_during_build
check "run again: resumes and passes (exit 0)" resumed
done_testing
