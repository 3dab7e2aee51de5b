#!/bin/sh
# make fuzz (and make bench): each harness named runs FUZZ_SECONDS (default
# 300) from the seed corpus, growing it; a finding is kept under
# work/fuzz/findings/<harness>/ and fails the campaign. Prints, per harness,
# the executions, the coverage (libFuzzer's cov/ft) and the findings.
# FUZZ_BIN: where the harnesses are (default work/fuzz).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
SECONDS_EACH=${FUZZ_SECONDS:-300}
BIN=${FUZZ_BIN:-work/fuzz}
sh tests/fuzz/seeds.sh || exit 1
found=0
printf '%-8s %8s %12s %10s %8s %8s\n' harness seconds executions exec/s cov findings
for n; do
	f=work/fuzz/findings/$n
	log=work/fuzz/$n.log
	mkdir -p "$f"
	# errors the parsers report on bad input would drown the log: stderr of the target is closed
	"$BIN/fuzz-$n" -max_total_time="$SECONDS_EACH" -max_len=262144 -timeout=20 -rss_limit_mb=2048 \
		-close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$f/" "work/fuzz/corpus/$n" >"$log" 2>&1
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	crashes=$(find "$f" -type f | wc -l)
	found=$((found + crashes))
	printf '%-8s %8s %12s %10s %8s %8s\n' "$n" "$SECONDS_EACH" "${runs:-?}" \
		"$(( ${runs:-0} / SECONDS_EACH ))" "${cov:-?}" "$crashes"
	[ "$crashes" = 0 ] || ls "$f" | sed "s|^|    $f/|"
done
echo "fuzz: $found findings"
[ "$found" = 0 ]
