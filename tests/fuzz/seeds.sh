#!/bin/sh
# The seed corpus of each harness, made from the project's own inputs (the
# archive files, the patches, the exports) and the crash reproducers, in
# work/fuzz/corpus/<harness>/. Nothing of it is committed but the reproducers.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
C=$ROOT/work/fuzz/corpus
cd "$ROOT"
mkdir -p "$C/mbox" "$C/diff" "$C/series" "$C/match"

# add DIR FILE...: each file once, named by its content.
add() {
	d=$1
	shift
	for f; do
		[ -f "$f" ] || continue
		cp "$f" "$d/$(sha1sum "$f" | cut -c1-16)"
	done
}

mails=$(ls ../shared/seeds/*.txt backports/*/archive/* backports/*/*/backport.mbox 2>/dev/null || true)
patches=$(ls backports/*/upstream/*.patch backports/*/prereqs/*.patch backports/*/prereqs/*/*.patch \
	backports/*/*/fixups/*.patch backports/*/*/patches/*.patch 2>/dev/null || true)
# shellcheck disable=SC2086 # lists of file names without blanks
{
	add "$C/mbox" $mails $patches tests/fuzz/crashes/mbox/*
	add "$C/diff" $patches tests/fuzz/crashes/diff/*
	add "$C/series" $mails $patches tests/fuzz/crashes/series/*
	add "$C/match" tests/fuzz/crashes/match/*
}
# match: each hunk's old side as the file, then "@@@", then the patch with its hunks renumbered to fit
python3 - "$C/match" $patches <<'PY'
import hashlib, re, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8", errors="replace").read()
    body = text[text.find("\ndiff --git"):] if "\ndiff --git" in text else ""
    old, diff, line = [], [], 1
    for l in body.split("\n"):
        m = re.match(r"@@ -\d+(,(\d+))? \+\d+(,(\d+))? @@(.*)", l)
        if m:
            n_old = int(m.group(2) or 1); n_new = int(m.group(4) or 1)
            old += ["/* filler */"] * 3
            start = len(old) + 1
            diff.append("@@ -%d,%d +%d,%d @@%s" % (start, n_old, start, n_new, m.group(5)))
            continue
        if diff and l[:1] in (" ", "-"):
            old.append(l[1:])
        if l.startswith(("diff --git", "---", "+++")) or (diff and l[:1] in (" ", "-", "+", "\\")):
            diff.append(l)
    if diff:
        data = ("\n".join(old) + "\n@@@\n" + "\n".join(diff) + "\n").encode()
        open("%s/%s" % (out, hashlib.sha1(data).hexdigest()[:16]), "wb").write(data)
PY
for n in mbox diff series match; do
	echo "corpus $n: $(ls "$C/$n" | wc -l) inputs"
done
