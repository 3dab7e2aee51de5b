#!/usr/bin/env python3
"""Write, under DIR, files that a patch's hunks apply to: each hunk's
pre-image (context and removed lines) at its line number, filler elsewhere.
Lets a test check that `git am` accepts a patch without the upstream tree."""
import re
import sys


def preimages(patch_text):
    files, cur, hunk = {}, None, None
    for line in patch_text.split("\n"):
        if line.startswith("+++ "):
            cur = files.setdefault(re.sub(r"^b/", "", line[4:].split("\t")[0]), [])
            continue
        m = re.match(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", line)
        if m and cur is not None:
            hunk = [int(m.group(1)), int(m.group(2) or 1), []]
            cur.append(hunk)
            continue
        if hunk and hunk[1] > len(hunk[2]) and line[:1] in (" ", "-", ""):
            hunk[2].append(line[1:])
    return files


def main():
    patch, outdir = sys.argv[1], sys.argv[2]
    import os
    for path, hunks in preimages(open(patch, encoding="utf-8", errors="surrogateescape").read()).items():
        size = max(h[0] + h[1] for h in hunks) + 5
        lines = ["/* filler %d */" % i for i in range(1, size)]
        for start, _, pre in hunks:
            lines[start - 1:start - 1 + len(pre)] = pre
        dst = os.path.join(outdir, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("\n".join(lines) + "\n")


main()
