#!/usr/bin/env python3
"""Scores 'kbackport triage --json' over tests/triage/cases against expect.tsv.

triage-score.py TRIAGE.json EXPECT.tsv: prints per expected verdict how many were
right, the misses with both verdicts, false 'applies' and 'already present', and
'N right of M (P%)'. Exit 0 always: the score is a measurement, its use is the caller's.
"""
import json, os, sys

doc = json.load(open(sys.argv[1]))
got = {}
for p in doc["patches"]:
    case = os.path.basename(p["source"]).rsplit(".mbox", 1)[0]
    for k, v in p["verdicts"].items():
        got[(case, k)] = v
want = {}
for line in open(sys.argv[2]):
    if line.startswith("#") or not line.strip():
        continue
    case, k, verdict, why = line.rstrip("\n").split("\t", 3)
    want[(case, k)] = verdict
verdicts = ["applies", "needs", "present", "not-applicable", "conflict"]
right = {v: 0 for v in verdicts}
total = {v: 0 for v in verdicts}
false_ok, misses = [], []
for key, w in sorted(want.items()):
    g = got.get(key, {}).get("verdict", "missing")
    total[w] += 1
    if g == w:
        right[w] += 1
    else:
        misses.append("%s on %s: expected %s, got %s (%s)" % (key[0], key[1], w, g, got.get(key, {}).get("evidence", "")))
        if g in ("applies", "present"):
            false_ok.append(key)
for v in verdicts:
    print("%-15s %2d of %2d right" % (v, right[v], total[v]))
print("false 'applies' or 'already present': %d" % len(false_ok))
for m in misses:
    print("miss: " + m)
n = sum(right.values())
print("%d right of %d (%.0f%%)" % (n, len(want), 100.0 * n / max(len(want), 1)))
