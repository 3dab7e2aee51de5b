#!/bin/sh
# kbackport matrix: bad options; a throwaway kernel ("junk", a git tree
# that is no kernel) gives each stage's exit code and skips the later
# stages; one matrix at a time per work dir; then debian-6.12 (port and
# build, which t0400/t0402 built: every build step a reuse) killed while a
# build step runs, and run again to resume.
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
K=debian-6.12

bad_options() {
	expect_exit 2 "$KB" matrix --stages port,cook 2>"$T/err" && one_error "$T/err" "unknown stage 'cook'" &&
	expect_exit 2 "$KB" matrix --runner vbox 2>"$T/err" && one_error "$T/err" "unknown runner 'vbox'" &&
	expect_exit 2 "$KB" matrix --jobs 0 2>"$T/err" && one_error "$T/err" "--jobs takes a number" &&
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
	for s in port:6 build:7 boot:8 bench:9 debug:9; do
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
	[ "$(steps "$T/work/results/$SNAME/junk/matrix.json")" = "import=pass port=fail build-base=skipped build-patched=skipped vendor-check=skipped boot-base=skipped boot-patched=skipped bench-base=skipped bench-patched=skipped build-debug=skipped boot-debug=skipped" ] &&
	grep -q "^junk: ✘ port: step port failed (exit [1-9]" "$T/out" && [ -s "$T/work/results/$SNAME/junk/matrix/port.log" ] &&
	# build-base fails first: build-patched and vendor-check still run, no boot starts
	junk --stages build,boot >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	[ $rc = 7 ] && ! grep -q "junk boot-base: kbackport boot" "$T/out" &&
	[ "$(steps "$T/work/results/$SNAME/junk/matrix.json")" = "build-base=fail build-patched=fail vendor-check=fail boot-base=skipped boot-patched=skipped" ]
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
check "each failing stage has its exit code (6, 7, 8, 9, 9)" stage_codes
check "a failed port skips the later stages" later_stages_skipped
check "one matrix at a time on a work dir" one_at_a_time
check "killed during a build step: stopped, recorded as interrupted" killed_during_build
check "run again: resumes and passes (exit 0)" resumed
done_testing
