#!/bin/sh
# Runs the unit tests and the tests/tNNNN-*.sh of a tier, then prints the
# total. KB_TIER=fast (make check, the default): every script but those
# with a line "# tier: full" (they build or boot kernels or run a LAVA lab);
# KB_TIER=full (make check-full): every script.
cd "$(dirname "$0")/.." || exit 1
tier=${KB_TIER:-fast}
case "$tier" in fast | full) ;; *) echo "KB_TIER is fast or full, not '$tier'" >&2; exit 2 ;; esac
left=
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
	if [ "$tier" = fast ] && grep -qx '# tier: full' "$t"; then
		left="$left ${t#tests/}"
		continue
	fi
	echo "== $t"
	start=$(date +%s)
	sh "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	count $rc
	echo "-- $t: $(($(date +%s) - start)) s"
done
[ -z "$left" ] || echo "tier fast: not run here, in make check-full:$left"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" = 0 ]
