#!/bin/sh
# kbackport lava --submit: the job posted to a LAVA server's REST API v0.2
# and, with --wait, polled until it finishes and its log imported. The
# server is tests/helpers/lava-server.py, a local stand-in following
# lava-server 2023.01's API (t0840 runs the real one); the log
# it serves is the real lava-run log t0810 made. The token comes from the
# environment or a 0600 file, never argv. A few seconds.
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR KBACKPORT_LAVA_TOKEN KBACKPORT_LAVA_TOKEN_FILE
K=debian-6.12
R=$KBACKPORT_WORK/results/$SNAME/$K/base
PY=$(sed -n '1s/^#! *//p' "$(command -v lava-run)")
TOKEN=kb-secret-0123456789
export KBACKPORT_LAVA_POLL=0.2

# A real lava-run's log of a smoke job: what the stand-in server serves.
lava_log() {
	use_built $K base && "$KB" lava $K --workload smoke --run-local >"$T/run.out" 2>&1 && [ -f $R/smoke.lava.log ] ||
		{ tail -n 20 "$T/run.out"; return 1; }
}

start_server() {
	[ -f $R/smoke.lava.log ] || { echo "no $R/smoke.lava.log"; return 1; }
	cp $R/smoke.lava.log "$T/job.log"
	"$PY" tests/helpers/lava-server.py --token $TOKEN --log "$T/job.log" --port-file "$T/port" \
		--polls 3 --requests "$T/requests" >"$T/server.log" 2>&1 &
	SERVER=$!
	for i in $(seq 50); do
		[ -f "$T/port" ] && break
		sleep 0.1
	done
	[ -f "$T/port" ] || { cat "$T/server.log"; return 1; }
	URL=http://127.0.0.1:$(cat "$T/port")
}

submit_only() {
	KBACKPORT_LAVA_TOKEN=$TOKEN "$KB" lava $K --submit "$URL/" >"$T/s.out" 2>&1
	rc=$?
	cat "$T/s.out" "$T/requests"
	[ $rc = 0 ] && grep -qx "$K base: LAVA job 1: $URL/scheduler/job/1" "$T/s.out" &&
	grep -qx "POST /api/v0.2/jobs/ Token $TOKEN" "$T/requests"
}

submit_wait() {
	KBACKPORT_LAVA_TOKEN=$TOKEN "$KB" lava $K --submit "$URL" --wait >"$T/w.out" 2>&1
	rc=$?
	cat "$T/w.out"
	[ $rc = 0 ] && grep -qx "$K base: LAVA job 2 finished, health Complete" "$T/w.out" &&
	[ "$(grep -c "^GET /api/v0.2/jobs/2/ Token $TOKEN" "$T/requests")" = 4 ] &&
	grep -qx "$K base: LAVA test cases: cpus-online pass, ext4-extents pass, ext4-noextents pass, smoke pass" "$T/w.out" &&
	python3 - $R/smoke.json "$URL" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["runner"] == "lava" and b["lava"]["where"] == sys.argv[2], b["lava"]
	assert b["lava"]["job_id"] == 2 and b["lava"]["health"] == "Complete", b["lava"]
	assert b["verdict"] == "clean" and b["workload_status"] == "done", b
	assert [t["status"] for t in b["result"]["tests"]] == ["pass"] * 3, b["result"]
	assert {c["name"]: c["result"] for c in b["lava"]["cases"]}["smoke"] == "pass", b["lava"]["cases"]
	EOF
}

# Not a token secret on the command line: ps shows argv.
token_file_ok() {
	printf '%s\n' $TOKEN >"$T/token" && chmod 600 "$T/token" &&
	"$KB" lava $K --submit "$URL" --token-file "$T/token" >"$T/f.out" 2>&1 && cat "$T/f.out" &&
	grep -qx "$K base: LAVA job 3: $URL/scheduler/job/3" "$T/f.out" &&
	KBACKPORT_LAVA_TOKEN_FILE="$T/token" "$KB" lava $K --submit "$URL" >/dev/null 2>&1
}

bad_token() {
	KBACKPORT_LAVA_TOKEN=wrong expect_exit 1 "$KB" lava $K --submit "$URL" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "LAVA server refused POST '$URL/api/v0.2/jobs/' (HTTP 403)" "Invalid token."
}

token_file_mode() {
	printf '%s\n' $TOKEN >"$T/open" && chmod 644 "$T/open" &&
	before=$(wc -l <"$T/requests") &&
	expect_exit 4 "$KB" lava $K --submit "$URL" --token-file "$T/open" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "token file '$T/open' has mode 0644: it must be 0600" &&
	[ "$(wc -l <"$T/requests")" = "$before" ]
}

no_token() {
	expect_exit 2 "$KB" lava $K --submit "$URL" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "no LAVA token: set KBACKPORT_LAVA_TOKEN"
}

no_server() {
	KBACKPORT_LAVA_TOKEN=$TOKEN expect_exit 1 "$KB" lava $K --submit http://127.0.0.1:9 >/dev/null 2>"$T/err" &&
	one_error "$T/err" "cannot reach LAVA server 'http://127.0.0.1:9/api/v0.2/jobs/'"
}

check "a smoke job run by lava-run gives the log to serve" lava_log
check "the local LAVA API server starts" start_server
check "--submit: job id and URL printed, token in the Authorization header" submit_only
check "--submit --wait: polled until Finished, LAVA's log imported into smoke.json" submit_wait
check "the token from a 0600 file (--token-file, KBACKPORT_LAVA_TOKEN_FILE)" token_file_ok
check "a token the server refuses: exit 1, one line with its answer" bad_token
check "a token file readable by others: exit 4, refused before any request" token_file_mode
check "no token at all: exit 2" no_token
check "no server listening: exit 1" no_server
[ -n "${SERVER:-}" ] && kill $SERVER
done_testing
