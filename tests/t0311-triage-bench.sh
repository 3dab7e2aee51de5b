#!/bin/sh
# The triage benchmark's fast part: real fixes from the list archives
# (tests/triage/cases) on both trees, with the postings of their Fixes:
# targets (tests/triage/upstream) and the stable backports found
# (tests/triage/stable), scored against verdicts judged by reading the trees
# (expect.tsv); and the protocol's outcomes on those backports. `make bench`
# prints the same score.
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
"$KB" triage --kernels debian-6.1,debian-6.12 --json --upstream "$ROOT/tests/triage/upstream" \
	--backports "$ROOT/tests/triage/stable" "$ROOT"/tests/triage/cases/*.mbox >"$T/triage.json"
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
check "a fix whose Fixes: target's lines are not in 6.1 (ERR_PTR journal inode): not applicable, though it applies" \
	got more-06-ext4-calculate-overhead-journal-inode-err debian-6.1 not-applicable
check "a fix whose file moved upstream, carried as 6.1's stable backport: already present" \
	got ext4-02-iomap-reject-delalloc-writeback debian-6.1 present

# The protocol on the stable backports the trees carry: undone in memory, the
# upstream form ported, compared with the human's.
outcomes() {
	python3 - "$T/triage.json" <<'PY' >"$T/outcomes.txt"
import json, sys, collections
doc = json.load(open(sys.argv[1]))
n = collections.Counter()
for p in doc["patches"]:
    for k, v in p["verdicts"].items():
        for b in v.get("backports", []):
            n[b["outcome"]] += 1
            print(p["source"].split("/")[-1], k, b["outcome"], b["why"][:100])
print("outcomes:", " ".join("%s %d" % (o, n[o]) for o in ("identical", "equivalent", "different", "conflict", "not-carried")))
PY
	cat "$T/outcomes.txt"
	grep -q "^ext4-01-parse-sb-mount-opts-strscpy.mbox debian-6.12 identical" "$T/outcomes.txt" &&
	grep -q "^ext4-02-iomap-reject-delalloc-writeback.mbox debian-6.1 conflict .*no 'fs/iomap/ioend.c'" "$T/outcomes.txt" &&
	grep -q "^ext4-03-punch-hole-max-end.mbox debian-6.12 not-carried" "$T/outcomes.txt" &&
	grep -q "^outcomes: identical 4 equivalent 0 different 0 conflict 5 not-carried 2" "$T/outcomes.txt"
}
check "the protocol on 11 stable backports: 4 identical to ours, 5 where the upstream form conflicts, 2 not carried" outcomes

score_holds() {
	right=$(sed -n 's/^\([0-9]*\) right of.*/\1/p' "$T/score.txt")
	false_ok=$(sed -n "s/^false 'applies' or 'already present': //p" "$T/score.txt")
	echo "right $right, false applies/present $false_ok"
	[ "$right" -ge 37 ] && [ "$false_ok" -le 5 ]
}
check "the score holds: at least 37 right, at most 5 false 'applies'/'already present' (the misses are in the output)" score_holds
tree_unchanged() {
	git -C "$KBACKPORT_WORK/trees/debian-6.1" for-each-ref >"$T/refs.after" && cmp "$T/refs.before" "$T/refs.after" &&
	[ -z "$(git -C "$KBACKPORT_WORK/trees/debian-6.1" status --porcelain)" ]
}
check "the benchmark changes nothing in the tree" tree_unchanged
done_testing
