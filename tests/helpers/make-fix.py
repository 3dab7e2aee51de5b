#!/usr/bin/env python3
"""Writes a fix mail made at test time from a tree's own file: the triage tests' inputs.

make-fix.py TREE FILE KIND OUT: KIND is one of
  applies      a new WARN_ON_ONCE() after a distinctive line of a function
  present      a line the tree has, "added" by a fix whose context differs from the tree
  absent       a fix to a line (and a function call) the tree never had; Fixes: cites its target
  needs        a new call of a helper the tree lacks
  conflict     a plain line changed, its context from other code
  anchored     a distinctive line changed, its nearest context from other code
  anchored-broken  the same, its added line calling a function no tree has (does not compile)
"""
import re, subprocess, sys, tempfile, os

tree, path, kind, out = sys.argv[1:5]
text = subprocess.run(["git", "-C", tree, "show", "refs/kbackport/base:" + path],
                      check=True, capture_output=True, text=True).stdout
lines = text.split("\n")

def functions():
    """(name, start, end) of each function: a definition at column 0, '{' ... '}' lines."""
    i = 0
    while i < len(lines):
        m = re.match(r"^[a-z].*\b([a-z_0-9]+)\(", lines[i])
        if m and not lines[i].endswith(";"):
            j = i
            while j < len(lines) and lines[j] != "{":
                j += 1
            k = j
            while k < len(lines) and lines[k] != "}":
                k += 1
            if k < len(lines) and j - i < 6:
                yield m.group(1), i, k
                i = k
        i += 1

def distinctive(s):
    s = s.strip()
    return "(" in s and len(s) > 12 and not s.startswith(("if", "return", "/*", "*", "for", "while")) \
        and s.endswith(";") and text.count(s) == 1

def pick(plain=False):
    """A function of 20+ lines and a line of it (distinctive, or plain) with code around it."""
    for name, s, e in functions():
        if e - s < 20:
            continue
        for i in range(s + 6, e - 4):
            body = [lines[k].strip() for k in range(i - 3, i + 4)]
            if any(not b or b.startswith(("/*", "*", "#")) for b in body):
                continue
            if plain and lines[i].strip() in ("break;", "return ret;", "return err;", "goto out;") and \
                    sum(lines[k].strip() == lines[i].strip() for k in range(s, e)) >= 2:
                return name, i
            if not plain and distinctive(lines[i]):
                return name, i
    sys.exit("no function of %s fits '%s'" % (path, kind))

def indent(i):
    return lines[i][:len(lines[i]) - len(lines[i].lstrip())]

old, new = list(lines), list(lines)
fixes = ""
plain = kind == "conflict"
name, i = pick(plain)
ind = indent(i)
if kind == "applies":
    new.insert(i + 1, ind + "WARN_ON_ONCE(!inode);")
elif kind == "present":
    del old[i]
    for o in (old, new):
        o[i - 2] = indent(i - 2) + "kb_context_from_newer_code();"
elif kind == "absent":
    for o in (old, new):
        o.insert(i + 1, ind + "kb_new_feature_hook(inode);")
    new[i + 1] = ind + "kb_new_feature_hook(inode, 0);"
    fixes = 'Fixes: 0123456789ab ("kbackport: add the new feature hook")\n'
elif kind == "needs":
    new.insert(i + 1, ind + "kb_helper_from_later(inode);")
elif kind in ("conflict", "anchored", "anchored-broken"):
    # the anchored fix's context comes from newer code; the conflict's from other code the tree has
    a, b = ("might_sleep();", "cond_resched();") if plain else ("kb_context_from_newer_code();", "kb_more_context_from_newer_code();")
    for o in (old, new):
        o[i - 1] = indent(i - 1) + a
        o[i + 1] = indent(i + 1) + b
    added = "kb_no_such_function(inode);" if kind == "anchored-broken" else "WARN_ON_ONCE(!inode);"
    new[i] = ind + ("return -EIO;" if kind == "conflict" else lines[i].strip().rstrip(";") + "; /* x */\n" + ind + added)
else:
    sys.exit("unknown kind " + kind)

with tempfile.TemporaryDirectory() as d:
    def git(*a):
        return subprocess.run(["git", "-C", d] + list(a), check=True, capture_output=True, text=True).stdout
    git("init", "-q")
    with open(os.path.join(d, ".gitattributes"), "w") as f:
        f.write("*.c diff=cpp\n*.h diff=cpp\n")  # as the kernel's own: hunk headers name the function
    os.makedirs(os.path.join(d, os.path.dirname(path)))
    for content in (old, new):
        with open(os.path.join(d, path), "w") as f:
            f.write("\n".join(content))
        if content is old:
            git("add", path)
    diff = git("diff", "-U3")
with open(out, "w") as f:
    f.write("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
            "From: Test Author <author@example.org>\nDate: Mon, 30 Nov 2026 10:00:00 +0000\n"
            "Subject: [PATCH] kbackport test: %s in %s()\nMessage-ID: <%s-%s@example.org>\n\n"
            "A fix made at test time (%s).\n\n%sCc: stable@vger.kernel.org\n"
            "Link: https://lore.kernel.org/r/%s-%s@example.org\n"
            "Signed-off-by: Test Author <author@example.org>\n---\n%s-- \n2.39.5\n"
            % (kind, name, kind, name, kind, fixes, kind, name, diff))
print(name, i + 1)
