#!/bin/sh
# kbackport lava --submit --wait against a real LAVA lab on this machine
# (tests/helpers/lava-lab: PostgreSQL, lava-server from Debian, its
# scheduler and a lava-worker with a QEMU device): the job is validated and
# scheduled by lava-server, run by the worker's lava-run on the debian-6.12
# base image t0400 built, and the cases LAVA's own database records are the
# ones our result holds. Needs root. About 90 s.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR KBACKPORT_LAVA_TOKEN KBACKPORT_LAVA_TOKEN_FILE
K=debian-6.12
R=$KBACKPORT_WORK/results/$SNAME/$K/base
LAB=$T/lab
URL=
JOB=
export KBACKPORT_LAVA_POLL=2
trap 'tests/helpers/lava-lab stop "$LAB"; rm -rf "$T"' EXIT

# The lab's QEMU device is the one kernels/debian-6.12.yaml boots: 2 vCPUs, 2 GiB.
lab_start() {
	use_built $K base || return 1
	tests/helpers/lava-lab start "$LAB" 2 2048 || { tail -n 20 "$LAB"/*.out 2>/dev/null; return 1; }
	URL=$(cat "$LAB/url")
}

api() {
	curl -sf -H "Authorization: Token $(cat "$LAB/token")" "$URL/api/v0.2/$1"
}

submit_wait() {
	# Bounded here: --wait itself allows the job's timeout plus an hour in the queue.
	KBACKPORT_LAVA_TOKEN_FILE=$LAB/token timeout 600 "$KB" lava $K --submit "$URL" --wait >"$T/w.out" 2>&1
	rc=$?
	cat "$T/w.out"
	JOB=$(sed -n "s|^$K base: LAVA job \([0-9]*\): $URL/scheduler/job/[0-9]*$|\1|p" "$T/w.out")
	[ $rc = 0 ] && [ -n "$JOB" ] &&
	grep -qx "$K base: LAVA job $JOB finished, health Complete" "$T/w.out" &&
	grep -qx "$K base: LAVA test cases: cpus-online pass, ext4-extents pass, ext4-noextents pass, smoke pass" "$T/w.out" &&
	python3 - $R/smoke.json "$URL" "$JOB" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["runner"] == "lava" and b["lava"]["where"] == sys.argv[2], b["lava"]
	assert b["lava"]["job_id"] == int(sys.argv[3]) and b["lava"]["health"] == "Complete", b["lava"]
	assert b["verdict"] == "clean" and b["workload_status"] == "done", b
	EOF
}

# What LAVA itself stored (its database, through its API), not what we parsed.
lava_records_same() {
	api "jobs/$JOB/" >"$T/job.json" && api "jobs/$JOB/suites/?limit=50" >"$T/suites.json" &&
	api "jobs/$JOB/tests/?limit=500" >"$T/tests.json" &&
	python3 - "$T/job.json" "$T/suites.json" "$T/tests.json" $R/smoke.json <<-'EOF'
	import json, sys
	job, suites, tests, ours = (json.load(open(p)) for p in sys.argv[1:])
	assert job["state"] == "Finished" and job["health"] == "Complete", job
	suite = {s["id"]: s["name"] for s in suites["results"]}
	theirs = {t["name"]: t["result"] for t in tests["results"] if suite[t["suite"]] != "lava"}
	lava_job = [t["result"] for t in tests["results"] if suite[t["suite"]] == "lava" and t["name"] == "job"]
	mine = {c["name"]: c["result"] for c in ours["lava"]["cases"]}
	print("LAVA:", theirs, lava_job, "ours:", mine)
	assert lava_job == ["pass"], lava_job
	assert theirs == mine, (theirs, mine)
	assert set(mine) == {"cpus-online", "ext4-extents", "ext4-noextents", "smoke"}, mine
	EOF
}

job_count() {
	api "jobs/?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}

bad_token() {
	before=$(job_count) &&
	KBACKPORT_LAVA_TOKEN=wrong expect_exit 1 "$KB" lava $K --submit "$URL" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "LAVA server refused POST '$URL/api/v0.2/jobs/' (HTTP 403)" "Invalid token." &&
	[ "$(job_count)" = "$before" ]
}

check "a real LAVA lab starts: PostgreSQL, lava-server, scheduler, worker with a QEMU device" lab_start
check "--submit --wait: lava-server schedules it, the worker runs it, health Complete, cases pass" submit_wait
check "LAVA's database records the same job health and cases as our result" lava_records_same
check "a token lava-server refuses: exit 1, its answer in one line, no job made" bad_token
done_testing
