#!/bin/sh
# The triage benchmark's fast part: real fixes from the list archives
# (tests/triage/cases) on both trees, scored against verdicts judged by
# reading the trees (expect.tsv). `make bench` prints the same score.
. "$(dirname "$0")/lib.sh"
for k in debian-6.1 debian-6.12; do
	use_tree "$k" || exit 1
done

at_revision() {
	for k in debian-6.1 debian-6.12; do
		rev=$(git -C "$KBACKPORT_WORK/trees/$k" log -1 --format=%s refs/kbackport/base | sed 's/^Import //')
		grep -q "^# Trees:.*$k at $rev" "$ROOT/tests/triage/expect.tsv" || { echo "$k is at $rev"; return 1; }
	done
}
if ! at_revision >"$T/rev.out"; then
	skip "the benchmark's verdicts" "they were judged on other revisions: $(cat "$T/rev.out")"
	done_testing
	exit $?
fi
git -C "$KBACKPORT_WORK/trees/debian-6.1" for-each-ref >"$T/refs.before"
"$KB" triage --kernels debian-6.1,debian-6.12 --json "$ROOT"/tests/triage/cases/*.mbox >"$T/triage.json"
python3 "$ROOT/tests/triage-score.py" "$T/triage.json" "$ROOT/tests/triage/expect.tsv" | tee "$T/score.txt"

got() {
	python3 - "$T/triage.json" "$1" "$2" "$3" <<'PY'
import json, sys
doc, case, k, want = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
v = [p for p in doc["patches"] if p["source"].endswith("/" + case + ".mbox")][0]["verdicts"][k]
print(json.dumps(v, indent=1)[:2000])
assert v["verdict"] == want, v["verdict"]
assert v["evidence"], "no evidence"
PY
}
check "a fix for a feature 6.1 lacks (large folios): not applicable on 6.1" got ext4-07-large-folio-conversion-credits debian-6.1 not-applicable
check "a fix to DAMON_STAT, which neither tree has: not applicable on debian-6.1" got other-05-damon-stat-call-failure-leak debian-6.1 not-applicable
check "  ... and on debian-6.12" got other-05-damon-stat-call-failure-leak debian-6.12 not-applicable
check "a stable backport whose context differs ('1, 1' for '1, true'): already present on 6.1" got ext4-05-mb-new-blocks-simple-errp debian-6.1 present
check "a fix carried by both trees: already present on 6.12" got other-01-blkcg-cgwb-release-uaf debian-6.12 present
check "a fix carried with its context moved: already present on 6.1" got ext4-06-ratelimit-lock-sysfs-register debian-6.1 present
check "a fix 6.1 needs but whose helpers came later: needed: needs on 6.1" got other-03-block-map-user-bvec-limits debian-6.1 needs
check "a fix that fits 6.12: needed: applies" got other-04-damon-effective-quota-overflow debian-6.12 applies
score_holds() {
	right=$(sed -n 's/^\([0-9]*\) right of.*/\1/p' "$T/score.txt")
	false_ok=$(sed -n "s/^false 'applies' or 'already present': //p" "$T/score.txt")
	echo "right $right, false applies/present $false_ok"
	[ "$right" -ge 29 ] && [ "$false_ok" -le 6 ]
}
check "the score holds: at least 29 right, at most 6 false 'applies'/'already present' (the misses are in the output)" score_holds
tree_unchanged() {
	git -C "$KBACKPORT_WORK/trees/debian-6.1" for-each-ref >"$T/refs.after" && cmp "$T/refs.before" "$T/refs.after" &&
	[ -z "$(git -C "$KBACKPORT_WORK/trees/debian-6.1" status --porcelain)" ]
}
check "the benchmark changes nothing in the tree" tree_unchanged
done_testing
