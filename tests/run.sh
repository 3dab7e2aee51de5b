#!/bin/sh
# Runs the unit tests and every tests/tNNNN-*.sh, then prints the total.
cd "$(dirname "$0")/.." || exit 1
total_p=0
total_f=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() {
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	[ -n "$line" ] || { p=0; f=1; }
	[ "$1" = 0 ] || [ "$f" != 0 ] || f=1
	total_p=$((total_p + p))
	total_f=$((total_f + f))
}

echo "== unit"
./tests/unit/run-unit >"$log" 2>&1
rc=$?
cat "$log"
count $rc
for t in tests/t[0-9]*.sh; do
	echo "== $t"
	sh "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	count $rc
done
echo "$total_p passed, $total_f failed"
[ "$total_f" = 0 ]
