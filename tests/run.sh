#!/bin/sh
# Runs the unit tests and every tests/tNNNN-*.sh, then prints the total.
cd "$(dirname "$0")/.." || exit 1
total_p=0
total_f=0
total_s=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A script's closing line: "N passed, N failed[, N skipped]"; none, or a
# failing exit with 0 failed, counts as one failure.
count() {
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	s=0
	case "$line" in *skipped) s=${line##*failed, }; s=${s%% skipped} ;; esac
	[ -n "$line" ] || { p=0; f=1; }
	[ "$1" = 0 ] || [ "$f" != 0 ] || f=1
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	total_s=$((total_s + s))
}

echo "== unit"
./tests/unit/run-unit >"$log" 2>&1
rc=$?
cat "$log"
count $rc
for t in tests/t[0-9]*.sh; do
	echo "== $t"
	start=$(date +%s)
	sh "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	count $rc
	echo "-- $t: $(($(date +%s) - start)) s"
done
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" = 0 ]
