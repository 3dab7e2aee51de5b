#!/bin/sh
# `make bench`: `make run` (tests/run-main.sh, the whole matrix on every
# kernel) timed twice in a row: the first does whatever is not stored yet
# (everything on a fresh clone, three trees: cold goal < 45 min on 2 cores), the
# second must reuse every step (goal < 1 min). Timings are printed, never asserted.
cd "$(dirname "$0")/.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

for run in first second; do
	t0=$(now)
	sh tests/run-main.sh >"$T/$run.out" 2>&1
	rc=$?
	t1=$(now)
	eval "secs_$run=$(elapsed "$t0" "$t1")"
	reused=$(grep -c ': ok, stored result reused (' "$T/$run.out")
	ran=$(grep -Ec ': (ok|FAILED, exit [0-9]+) \(' "$T/$run.out")
	echo "make run ($run): $(eval echo "\$secs_$run") s, exit $rc, $ran steps, $reused of them reused"
done
sed -n '/^kernel /,$p' "$T/second.out"
python3 -c "import sys; a, b = map(float, sys.argv[1:]); print('second/first: %.2f (goals: first < 2700 s, second < 60 s)' % (b / a))" "$secs_first" "$secs_second"
