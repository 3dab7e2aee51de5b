#!/bin/sh
# `make bench`: the timings and comparisons recorded in the issue notes.
# Timings are printed, never asserted: compare ratios within one run.
cd "$(dirname "$0")/.." || exit 1
KB=./kbackport
S=backports/ext4-dio-shared-lock
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

echo "== series import (seeds 001 + 000, 10 runs)"
t0=$(now)
for i in 1 2 3 4 5 6 7 8 9 10; do
	$KB series import $S/archive/001_2e31d047427a21b3.txt $S/archive/000_90e44bd725056204.txt >/dev/null
done
t1=$(now)
echo "series import: $(python3 -c "print('%.3f' % ((float('$t1') - float('$t0')) / 10))") s per run (goal < 1 s)"

echo "== kernels import (cold, into a scratch work dir; BENCH_SKIP_IMPORT=1 skips)"
for k in $([ -n "${BENCH_SKIP_IMPORT:-}" ] || echo debian-6.1 debian-6.12 debian-5.10); do
	t0=$(now)
	KBACKPORT_WORK="$T/work" $KB kernels import $k >/dev/null 2>&1
	t1=$(now)
	echo "kernels import $k: $(elapsed "$t0" "$t1") s (goal < 60 s)"
done
rm -rf "$T/work"

echo "== port (after import), and git am -3 / patch -F3 / wiggle on the same patches"
for k in debian-6.12 debian-6.1 debian-5.10; do
	[ -d work/trees/$k ] || $KB kernels import $k >/dev/null 2>&1
	t0=$(now)
	$KB port $k >/dev/null 2>&1
	t1=$(now)
	echo "port $k: $(elapsed "$t0" "$t1") s (goal < 5 s), 8 patches + prerequisites"
	t0=$(now)
	$KB port $k --plan >/dev/null 2>&1
	t1=$(now)
	echo "port --plan $k: $(elapsed "$t0" "$t1") s (in memory, nothing written)"
	cp work/ports/$(basename $S)/$k/port.json "$T/$k.port.json"
	for tool in am patch wiggle; do
		wt="$T/$k-$tool"
		git -C work/trees/$k worktree add -q --detach "$wt" refs/kbackport/base
		: >"$T/$k.$tool"
		prev=0
		t0=$(now)
		for p in "$PWD"/$S/upstream/*.patch; do
			case $tool in
			am)
				if git -C "$wt" -c user.name=b -c user.email=b@b am -q -3 "$p" >/dev/null 2>&1; then
					r=applied
				else
					git -C "$wt" am --abort >/dev/null 2>&1
					r=failed
				fi ;;
			patch)
				out=$(cd "$wt" && patch -p1 -F3 -N --no-backup-if-mismatch -r - <"$p" 2>&1)
				if [ $? = 0 ]; then
					echo "$out" | grep -q fuzz && r=fuzz || r=applied
				else
					r=failed
				fi ;;
			wiggle)
				out=$(cd "$wt" && wiggle -p1 -r "$p" 2>&1)
				rc=$?
				git -C "$wt" clean -fqx	# its .porig backups (ignored by the kernel's .gitignore) would stop the next patch
				c=$(cd "$wt" && git diff | grep -c '^+<<<<<<<')
				r=$([ $rc = 0 ] && echo applied || echo "conflicts($((c - prev)))")
				prev=$c ;;
			esac
			echo "$r" >>"$T/$k.$tool"
		done
		t1=$(now)
		echo "$tool $k: $(elapsed "$t0" "$t1") s"
		git -C work/trees/$k worktree remove --force "$wt"
	done
	python3 - "$T" "$k" <<'PY'
import json, sys
d, k = sys.argv[1], sys.argv[2]
port = [p for p in json.load(open(f"{d}/{k}.port.json"))["patches"] if not p["prereq"]]
cols = {t: open(f"{d}/{k}.{t}").read().split() for t in ("am", "patch", "wiggle")}
print(f"{k}: per-patch outcome")
print(f"  {'patch':6} {'kbackport':16} {'git am -3':10} {'patch -F3':10} {'wiggle':14}")
for i, p in enumerate(port):
    print(f"  {p['patch']}/8    {p['status']:16} {cols['am'][i]:10} {cols['patch'][i]:10} {cols['wiggle'][i]:14}")
PY
done

echo "== triage benchmark (tests/triage: real fixes, verdicts judged by reading the trees)"
t0=$(now)
$KB triage --kernels debian-6.1,debian-6.12 --json --upstream tests/triage/upstream --backports tests/triage/stable \
	tests/triage/cases/*.mbox >"$T/triage.json"
t1=$(now)
echo "triage of $(ls tests/triage/cases/*.mbox | wc -l) fixes on 2 trees: $(elapsed "$t0" "$t1") s"
python3 tests/triage-score.py "$T/triage.json" tests/triage/expect.tsv
