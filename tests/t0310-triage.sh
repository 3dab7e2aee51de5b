#!/bin/sh
# kbackport triage: every verdict on fixes made at test time from the trees'
# own code, the port's use of the same verdicts, and nothing left changed.
. "$(dirname "$0")/lib.sh"
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
K=debian-6.1
use_tree "$K" || exit 1
TREE=$KBACKPORT_WORK/trees/$K

for kind in applies present absent needs conflict anchored; do
	python3 "$ROOT/tests/helpers/make-fix.py" "$TREE" fs/ext4/inode.c "$kind" "$T/$kind.mbox" >/dev/null ||
		{ echo "cannot make the '$kind' fix"; exit 1; }
done
git -C "$TREE" for-each-ref >"$T/refs.before"

"$KB" triage --kernels "$K" --json "$T"/applies.mbox "$T"/present.mbox "$T"/absent.mbox "$T"/needs.mbox \
	"$T"/conflict.mbox "$T"/anchored.mbox >"$T/triage.json" 2>"$T/triage.err"
echo $? >"$T/triage.rc"

verdict() {
	python3 - "$T/triage.json" "$1" "$K" "$2" "$3" <<'PY'
import json, sys
doc, kind, k, want, needle = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
p = [x for x in doc["patches"] if x["source"].endswith("/%s.mbox" % kind)][0]
v = p["verdicts"][k]
print(json.dumps(v, indent=1))
assert v["verdict"] == want, v["verdict"]
assert needle in json.dumps(v), needle
PY
}
check "triage exits 0 and says nothing on stderr" sh -c "[ \$(cat $T/triage.rc) = 0 ] && [ ! -s $T/triage.err ]"
check "a fix whose lines fit: needed: applies, with the code it changes" verdict applies applies "where the fix adds its lines"
check "the fix's lines stand though its context differs: already present, with file:line" verdict present present "fs/ext4/inode.c:"
check "a fix to code the tree never had: not applicable, its Fixes target absent" verdict absent not-applicable '"state": "absent"'
check "a fix that calls a helper the tree lacks: needed: needs, naming it" verdict needs needs "kb_helper_from_later"
check "a plain line whose context is other code: conflict, not a guess" verdict conflict conflict "too plain"
check "context from newer code: placed by what it changes, the context that differs named" verdict anchored applies \
	"context that differs: 'kb_context_from_newer_code();'"
check "the anchored hunk is recorded as its own strategy" verdict anchored applies '"how": "anchored"'

tree_unchanged() {
	git -C "$TREE" for-each-ref >"$T/refs.after" && cmp "$T/refs.before" "$T/refs.after" &&
	[ -z "$(git -C "$TREE" status --porcelain)" ]
}
check "triage changes no ref and no file of the tree" tree_unchanged

check "the text table names every verdict" sh -c "'$KB' triage --kernels $K '$T'/*.mbox >'$T/table.txt' &&
	grep -q '2 needed: applies, 1 needed: needs, 1 already present, 1 not applicable (bug absent), 1 conflict' '$T/table.txt' || { cat '$T/table.txt'; false; }"

# The port uses the same verdicts: a fix not for this tree stops it with the
# reason first in its rejects and the Fixes target absent.
port_absent() {
	"$KB" series import "$T/absent.mbox" -o "$T/s-absent" >/dev/null &&
	expect_exit 6 "$KB" port "$K" --series "$T/s-absent" --json >"$T/port.json" 2>/dev/null &&
	head -n 1 "$KBACKPORT_WORK/ports/s-absent/$K/0001.rej" | grep -q "^# triage on $K: not applicable (bug absent)" &&
	python3 - "$T/port.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
q = [x for x in r["prereqs"] if x["cited"] == "Fixes"][0]
assert q["state"] == "absent" and "kb_new_feature_hook" in q["evidence"], q
assert r["patches"][0]["verdict"] == "not-applicable", r["patches"][0]
PY
}
check "port: a fix whose target is absent stops saying so, the Fixes target 'absent' with evidence" port_absent

port_present() {
	git -C "$TREE" checkout -q -f base &&
	"$KB" series import "$T/present.mbox" -o "$T/s-present" >/dev/null &&
	"$KB" port "$K" --series "$T/s-present" --json >"$T/port2.json" &&
	python3 - "$T/port2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["patches"][0]
assert p["status"] == "already-present" and p["verdict"] == "present", p
assert "fs/ext4/inode.c" in p["how"] and "conflict" not in json.dumps(p), p
PY
}
check "port: a fix the tree carries with other context is already present, not a conflict" port_present

# Context drift in the port: a hunk placed by what it changes is compiled (the
# touched object, the kernel's config) before it is committed; one that does
# not compile stops the port, the tree clean.
port_anchored() {
	python3 "$ROOT/tests/helpers/make-fix.py" "$TREE" fs/ext4/inode.c anchored-broken "$T/broken.mbox" >/dev/null &&
	git -C "$TREE" checkout -q -f base &&
	"$KB" series import "$T/anchored.mbox" -o "$T/s-anch" >/dev/null &&
	"$KB" port "$K" --series "$T/s-anch" --json >"$T/port3.json" 2>"$T/port3.err" &&
	python3 - "$T/port3.json" <<'PY' &&
import json, sys
p = json.load(open(sys.argv[1]))["patches"][0]
assert p["status"] == "adapted" and "compiled" in p["how"], p
assert [h["strategy"] for h in p["hunks"]] == ["anchored"] and "kb_context_from_newer_code" in p["hunks"][0]["why"], p
PY
	git -C "$TREE" show "backport/s-anch/$K" | grep -q '^+.*WARN_ON_ONCE(!inode);' &&
	"$KB" series import "$T/broken.mbox" -o "$T/s-broken" >/dev/null &&
	expect_exit 6 "$KB" port "$K" --series "$T/s-broken" 2>"$T/port4.err" >/dev/null &&
	grep -q "^# hunks placed by what they change do not compile .*kb_no_such_function" \
		"$KBACKPORT_WORK/ports/s-broken/$K/0001.rej" &&
	[ -z "$(git -C "$TREE" status --porcelain)" ]
}
check "port: a hunk placed by what it changes is compiled before the commit; one that does not compile stops, the tree clean" port_anchored

# --upstream: a Fixes: target read from an upstream repository (made here: a
# commit adding lines the tree lacks) is looked for by its own lines; absent,
# the fix is not applicable though its hunks fit. Without it: applies.
upstream_repo() {
	u=$T/upstream && mkdir -p "$u/fs/ext4" "$T/up" &&
	git init -q "$u" && printf 'int kb_base;\n' >"$u/fs/ext4/inode.c" &&
	git -C "$u" add . && git -C "$u" -c user.name=u -c user.email=u@example.org commit -qm base &&
	printf 'static unsigned long kb_feature_counter;\nvoid kb_feature_account(struct inode *inode)\n{\n\tkb_feature_counter += inode->i_blocks;\n\tkb_feature_trace_event(inode->i_ino);\n}\n' >>"$u/fs/ext4/inode.c" &&
	git -C "$u" -c user.name=u -c user.email=u@example.org commit -qam "ext4: kb feature accounting" &&
	id=$(git -C "$u" rev-parse --short=12 HEAD) &&
	sed "s/^Cc: stable/Fixes: $id (\"ext4: kb feature accounting\")\nCc: stable/" "$T/applies.mbox" >"$T/up/fix.mbox" &&
	grep -q "^Fixes: $id" "$T/up/fix.mbox" &&
	"$KB" triage --kernels "$K" --json "$T/up/fix.mbox" >"$T/up0.json" &&
	"$KB" triage --kernels "$K" --json --upstream "$u" "$T/up/fix.mbox" >"$T/up1.json" &&
	KBACKPORT_UPSTREAM=$u "$KB" triage --kernels "$K" --json "$T/up/fix.mbox" >"$T/up2.json" &&
	python3 - "$T" "$K" "$id" <<'PY'
import json, sys
t, k, id = sys.argv[1:4]
v = [json.load(open("%s/up%d.json" % (t, i)))["patches"][0]["verdicts"][k] for i in range(3)]
assert v[0]["verdict"] == "applies", v[0]
for x in v[1:]:
    assert x["verdict"] == "not-applicable" and ("came with " + id) in x["evidence"], x
    assert "0 of the 4 lines it added stand in the tree" in x["cited"][0]["evidence"], x["cited"]
PY
}
check "--upstream (a git repository, or KBACKPORT_UPSTREAM): a Fixes target whose lines the tree lacks makes the fix not applicable" upstream_repo

# --backports: the protocol on a backport the tree carries (made here from the
# tree's own lines: a line it has, "added" by the backport in the tree's form
# and by the upstream fix with a comment more). Ours and the human's are the
# same code: equivalent, and compiled.
backport_protocol() {
	python3 - "$TREE" "$T/up" <<'PY' &&
import subprocess, sys, tempfile, os
tree, out = sys.argv[1:3]
path = "fs/ext4/inode.c"
lines = subprocess.run(["git", "-C", tree, "show", "refs/kbackport/base:" + path], check=True,
                       capture_output=True, text=True).stdout.split("\n")
i = next(n for n, l in enumerate(lines) if l.strip().startswith("truncate_inode_pages_final(&inode->i_data);"))
old = lines[:i] + lines[i + 1:]
up = lines[:i] + [lines[i] + " /* drop the page cache first */"] + lines[i + 1:]
def diff(a, b):
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "fs/ext4"))
        for content in (a, b):
            open(os.path.join(d, path), "w").write("\n".join(content))
            if content is a:
                subprocess.run(["git", "-C", d, "init", "-q"], check=True)
                subprocess.run(["git", "-C", d, "add", path], check=True)
        return subprocess.run(["git", "-C", d, "diff", "-U3"], check=True, capture_output=True, text=True).stdout
def mail(name, tag, text):
    open(os.path.join(out, name), "w").write(
        "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        "From: Test Author <author@example.org>\nDate: Mon, 30 Nov 2026 10:00:00 +0000\n"
        "Subject: [%s] ext4: kb drop the page cache on evict\n\nA fix made at test time.\n\n"
        "Signed-off-by: Test Author <author@example.org>\n---\n%s-- \n2.39.5\n" % (tag, text))
mail("bp-upstream.mbox", "PATCH", diff(old, up))
mail("bp-6.1.mbox.stable", "PATCH 6.1 12/345", diff(old, lines))
mail("bp-6.12.mbox.stable", "PATCH 6.12.y", diff(old, lines))
PY
	mkdir -p "$T/bp" && cp "$T/up/bp-6.1.mbox.stable" "$T/bp/a.mbox" && cp "$T/up/bp-6.12.mbox.stable" "$T/bp/b.mbox" &&
	"$KB" triage --kernels "$K" --json --backports "$T/bp" "$T/up/bp-upstream.mbox" >"$T/bp.json" &&
	python3 - "$T/bp.json" "$K" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["patches"][0]["verdicts"][sys.argv[2]]
b = v["backports"]
assert len(b) == 1 and b[0]["backport"].endswith("/a.mbox"), b  # 6.12's is not for this tree
assert b[0]["outcome"] == "equivalent" and b[0]["compiled"].startswith("compiled"), b
assert v["verdict"] == "present", v
PY
}
check "--backports: the backport undone, the upstream form ported, ours equivalent to the human's and compiled; the fix present" backport_protocol

# Real archive text: patch 2 of the seed series is carried by both trees (its
# Fixes target is there), and a patch in the tree's future is needed.
real_series() {
	"$KB" triage --kernels "$K" --json >"$T/series.json" &&
	python3 - "$T/series.json" "$K" <<'PY'
import json, sys
doc, k = json.load(open(sys.argv[1])), sys.argv[2]
v = {p["source"]: p["verdicts"][k] for p in doc["patches"]}
assert v["[2/8]"]["verdict"] == "present", v["[2/8]"]
c = v["[2/8]"]["cited"][0]
assert c["cited"] == "Fixes" and c["state"] == "present", c
assert v["[1/8]"]["verdict"] == "applies", v["[1/8]"]
assert v["[3/8]"]["verdict"] == "needs" and any("0008-ext4-remove-useless" in n for n in v["[3/8]"]["needs"]), v["[3/8]"]
PY
}
check "the seed series: [2/8] already present (Fixes present), [1/8] applies, [3/8] needs its prerequisites" real_series

expect_exit 3 "$KB" triage --kernels "$K" "$T/nothing.mbox" 2>"$T/err1" >/dev/null
check "a missing input file: one error naming it" one_error "$T/err1" "nothing.mbox"
printf 'From: a <a@b>\nSubject: [PATCH] x\n\nno diff here\n' >"$T/nodiff.mbox"
check "a file without a patch: exit 3 and one error naming it" sh -c "'$KB' triage --kernels $K '$T/nodiff.mbox' 2>'$T/err2' >/dev/null; [ \$? = 3 ] && grep -q \"no patch with a diff in '$T/nodiff.mbox'\" '$T/err2'"
# Hostile input: paths outside the tree and numbers out of range are refused
# before anything is read, from a file and from a hand-edited series directory.
sed 's|fs/ext4/inode\.c|../../etc/kbh-x.c|g' "$T/applies.mbox" >"$T/dotdot.mbox"
expect_exit 4 "$KB" triage --kernels "$K" "$T/dotdot.mbox" 2>"$T/err3" >/dev/null
check "a fix that names a path outside the tree: exit 4, one error naming it" one_error "$T/err3" "'../../etc/kbh-x.c'" "outside the tree"
sed 's|^Subject: \[PATCH\]|Subject: [PATCH 1/99999999]|' "$T/applies.mbox" >"$T/bignum.mbox"
expect_exit 4 "$KB" triage --kernels "$K" "$T/bignum.mbox" 2>"$T/err4" >/dev/null
check "a patch numbered beyond any series: exit 4, one error naming the number" one_error "$T/err4" "1/99999999"
series_dotdot() {
	"$KB" series import "$T/applies.mbox" -o "$T/s-dotdot" >/dev/null &&
	sed -i 's|fs/ext4/inode\.c|../kbh-y.c|g' "$T"/s-dotdot/upstream/0001-*.patch &&
	expect_exit 4 "$KB" triage --kernels "$K" --series "$T/s-dotdot" 2>"$T/err5" >/dev/null &&
	one_error "$T/err5" "'../kbh-y.c'" "outside the tree"
}
check "a series directory's patch edited to a path outside the tree: exit 4, one error" series_dotdot
# The mails --upstream and --backports read are input too: the same gate.
mkdir -p "$T/hostile-up" "$T/hostile-bp"
sed 's|fs/ext4/inode\.c|.git/config|g' "$T/applies.mbox" >"$T/hostile-up/x.mbox"
sed 's|^Subject: \[PATCH\]|Subject: [PATCH 6.1]|; s|fs/ext4/inode\.c|../../kbh-z.c|g' "$T/applies.mbox" >"$T/hostile-bp/y.mbox"
expect_exit 4 "$KB" triage --kernels "$K" --upstream "$T/hostile-up" "$T/applies.mbox" 2>"$T/err6" >/dev/null
check "an --upstream mail that names .git/config: exit 4, one error naming it" one_error "$T/err6" "'.git/config'" "outside the tree"
expect_exit 4 "$KB" triage --kernels "$K" --backports "$T/hostile-bp" "$T/applies.mbox" 2>"$T/err7" >/dev/null
check "a --backports mail that names a path outside the tree: exit 4, one error naming it" one_error "$T/err7" "'../../kbh-z.c'" "outside the tree"
done_testing
