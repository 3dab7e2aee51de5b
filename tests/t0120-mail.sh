#!/bin/sh
# kbackport mail: the reply that reports a finding upstream, drafted from a
# series made here (a crafted thread imported with 'series import'), a local
# fix that links one of its patches, and dio results crafted in this store.
# The draft is read back by git itself (mailsplit, mailinfo --scissors, am)
# and the kernel's checkpatch.pl; nothing is sent, no network.
. "$(dirname "$0")/lib.sh"

K=debian-6.12
S=$T/demo-nowait
RES=$KBACKPORT_WORK/results/demo-nowait/$K
COVER=20260618125735.1-pat@example.org
P1=20260618125735.2-pat@example.org
P2=20260618125735.3-pat@example.org
GIT="git -c user.name=Tester -c user.email=tester@example.org"
# the drafter: an address git send-email accepts (lib.sh's has no domain)
export KBACKPORT_SIGNOFF="Dee Drafter <dee@example.org>"

# ---- the tree: base, the series' two patches, the fix, each a commit ----

mkdir -p "$T/src/fs/demo" && cd "$T/src" && git init -q && cat >fs/demo/write.c <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/errno.h>
#include "demo.h"

int demo_write(struct demo_file *f, unsigned int flags)
{
	if (demo_hole(f))
		return demo_alloc(f);
	return demo_overwrite(f);
}
EOF
$GIT add -A && $GIT commit -qm base && $GIT tag base &&
sed -i 's/^{$/{\n\tif ((flags \& DEMO_NOWAIT) \&\& demo_needs_lock(f))\n\t\treturn -EAGAIN;/' fs/demo/write.c &&
$GIT commit -qam one && $GIT tag p1 &&
sed -i 's/demo_alloc(f)/demo_alloc(f, flags)/' fs/demo/write.c &&
$GIT commit -qam two && $GIT tag p2 &&
python3 - fs/demo/write.c <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("\tif (demo_hole(f))\n\t\treturn demo_alloc(f, flags);\n",
              "\tif (demo_hole(f)) {\n"
              "\t\t/* nothing may be written before the EAGAIN: the caller retries it whole */\n"
              "\t\tif (flags & DEMO_NOWAIT)\n\t\t\treturn -EAGAIN;\n"
              "\t\treturn demo_alloc(f, flags);\n\t}\n")
open(p, "w").write(s)
EOF
cat >"$T/fix.msg" <<EOF
demo: refuse a NOWAIT write into a hole before writing any of it

A NOWAIT write over [written][hole] submitted its first block before
demo_alloc() refused the hole with EAGAIN, so the caller's retry wrote
the block twice. Refuse the hole before anything is submitted.

Link: https://lore.kernel.org/r/$P2
Signed-off-by: Ann Fixer <ann@example.org>
EOF
$GIT -c user.name="Ann Fixer" -c user.email=ann@example.org commit -qa -F "$T/fix.msg" \
	--date="Fri, 19 Jun 2026 10:00:00 +0000" && $GIT tag fix &&
cd "$ROOT" || exit 1

# patch N OF SUBJECT FROM TO: one posted patch of the thread, its diff from the tree.
posted() {
	cat <<EOF
From pat Thu Jun 18 12:57:27 2026
From: Pat Author <pat@example.org>
Date: Thu, 18 Jun 2026 12:57:2$1 +0000
Subject: [PATCH v2 $1/2] $2
Message-ID: <$5>
In-Reply-To: <$COVER>
References: <$COVER>
To: linux-demo@lists.example.org
Cc: Rev Iewer <rev@example.org>, "Lee, Quinn" <quinn@example.org>,
 Pat Author <pat@example.org>, Dee Drafter <dee@example.org>,
 =?UTF-8?q?J=C3=B6rg_R=C3=B6del?= <joerg@example.org>

$2, as the series needs it.

Signed-off-by: Pat Author <pat@example.org>
---
EOF
	git -C "$T/src" diff "$3" "$4"
	echo
}
{
	cat <<EOF
From pat Thu Jun 18 12:57:27 2026
From: Pat Author <pat@example.org>
Date: Thu, 18 Jun 2026 12:57:27 +0000
Subject: [PATCH v2 0/2] demo: honest NOWAIT writes
Message-ID: <$COVER>
To: linux-demo@lists.example.org
Cc: Rev Iewer <rev@example.org>

Two patches.

EOF
	posted 1 "demo: refuse NOWAIT writes that need the lock" base p1 "$P1"
	posted 2 "demo: pass the flags to demo_alloc()" p1 p2 "$P2"
} >"$T/thread.mbox"
"$KB" series import "$T/thread.mbox" -o "$S" >"$T/import.out" 2>&1 || { cat "$T/import.out"; exit 1; }
mkdir -p "$S/local" && git -C "$T/src" format-patch -q -1 fix --stdout >"$S/local/0001-demo-nowait-hole.patch"

# ---- kb-nowait's answers, as the dio workload stores them ----

mkdir -p "$S/expect" && cat >"$S/expect/nowait-patched-$K.json" <<'EOF'
{
"kernel": "debian-6.12",
"variant": "patched",
"cases": [
{"case": "overwrite-written", "pwritev2-nowait": "ok", "uring-nowait": "ok", "uring": "ok-inline", "why": "a cached written extent"},
{"case": "overwrite-hole", "pwritev2-nowait": "eagain", "uring-nowait": "eagain", "uring": "ok-punted", "why": "the hole is refused before anything is submitted, so the retry writes it whole"}
]
}
EOF

# dio VARIANT HOLE_ANSWERS WRITTEN: a dio.json whose kb-nowait table has two cases.
dio() {
	python3 - "$RES/$1/dio.json" "$1" "$2" "$3" <<'EOF'
import json, os, sys
path, variant, hole, written = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
apis = ["pwritev2-nowait", "uring-nowait", "uring"]
def case(name, layout, answers, written, expect):
    return {"case": name, "layout": layout, "write": "8192 bytes at 32768", "cache": "warm", "mtime": "fresh",
            "results": dict(zip(apis, answers)), "tries": dict.fromkeys(apis, 1),
            "eagain_written": {"pwritev2-nowait": written, "uring-nowait": written, "uring": 0},
            "ambiguous": [], "data": "ok", "expect": dict(zip(apis, expect)), "match": answers == expect}
cases = [case("overwrite-written", "written", ["ok", "ok", "ok-inline"], 0, ["ok", "ok", "ok-inline"]),
         case("overwrite-hole", "[W][H]", hole, written, ["eagain", "eagain", "ok-punted"])]
os.makedirs(os.path.dirname(path), exist_ok=True)
json.dump({"schema": 1, "kernel": "debian-6.12", "variant": variant, "verdict": "clean",
           "workload": {"name": "dio"}, "workload_status": "done",
           "result": {"workload": "dio", "tests": [], "nowait": {"program": "kb-nowait", "cases": cases,
                                                                 "data_errors": 0}}},
          open(path, "w"), indent=2)
EOF
}
dio posted eagain,eagain,error:EIO 4096 && dio patched eagain,eagain,ok-punted 0 || exit 1
mkdir -p "$KBACKPORT_WORK/ports/demo-nowait/$K" && cat >"$KBACKPORT_WORK/ports/demo-nowait/$K/port.json" <<EOF
{"schema": 1, "kernel": "$K", "source": "linux-source-6.12 6.12.57-1",
 "patches": [{"patch": 1, "prereq": false, "local": true, "status": "clean",
              "source": "$S/local/0001-demo-nowait-hole.patch"}]}
EOF

"$KB" mail $K --series "$S" >"$T/draft" 2>"$T/draft.err"
echo "exit $?" >>"$T/draft.err"

# header FIELD: one header of the draft, unfolded, as a mail reader sees it.
header() {
	python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(" ".join(str(m[sys.argv[2]] or "").split()))' "$T/draft" "$1"
}

drafted() {
	cat "$T/draft.err"
	grep -qx "exit 0" "$T/draft.err" && head -n 1 "$T/draft" | grep -q "^From [0-9a-f]\{40\} Mon Sep 17 00:00:00 2001$" &&
	mkdir "$T/split" && [ "$(git mailsplit -o"$T/split" "$T/draft")" = 1 ]
}
check "mail drafts one message in mbox form (a From line first, git mailsplit finds one)" drafted

threaded() {
	[ "$(header In-Reply-To)" = "<$P2>" ] && [ "$(header References)" = "<$COVER> <$P2>" ] &&
	[ "$(header Subject)" = "Re: [PATCH v2 2/2] demo: pass the flags to demo_alloc()" ] ||
		{ head -n 12 "$T/draft"; return 1; }
}
check "threads under the linked patch: In-Reply-To its Message-ID, References cover and patch, Subject Re: [PATCH v2 2/2]" threaded

addressed() {
	head -n 12 "$T/draft"
	[ "$(header From)" = "Dee Drafter <dee@example.org>" ] && [ "$(header To)" = "Pat Author <pat@example.org>" ] &&
	[ "$(header Cc)" = 'linux-demo@lists.example.org, Rev Iewer <rev@example.org>, "Lee, Quinn" <quinn@example.org>, Jörg Rödel <joerg@example.org>' ] &&
	grep -q "^	=?UTF-8?q?J=C3=B6rg_R=C3=B6del?= <joerg@example.org>$" "$T/draft"
}
check "To: the patch's author, Cc: its To and Cc once each, without the author or the drafter, names encoded" addressed

# The series applied in a scratch clone: what the fix must apply on.
am_scissors() {
	git clone -q "$T/src" "$T/am" && git -C "$T/am" checkout -q p2 &&
	git -C "$T/am" mailinfo --scissors "$T/msg" "$T/patch" <"$T/draft" >"$T/info" &&
	cat "$T/info" &&
	grep -qx "Author: Ann Fixer" "$T/info" && grep -qx "Email: ann@example.org" "$T/info" &&
	grep -qx "Subject: demo: refuse a NOWAIT write into a hole before writing any of it" "$T/info" &&
	grep -qx "Link: https://lore.kernel.org/r/$P2" "$T/msg" && ! grep -q "kb-nowait" "$T/msg" &&
	git -C "$T/am" apply --check "$T/patch" &&
	$GIT -C "$T/am" am -q --scissors "$T/draft" &&
	git -C "$T/am" diff --quiet fix HEAD &&
	[ "$(git -C "$T/am" log -1 --format='%an <%ae>|%s')" = "Ann Fixer <ann@example.org>|demo: refuse a NOWAIT write into a hole before writing any of it" ]
}
check "git mailinfo --scissors takes the fix (author, subject, Link), git apply --check and git am --scissors apply it on the series" am_scissors

# checkpatch.pl of the installed 6.12 source: the fixture's tree, else the three files from the tarball.
checkpatch_dir() {
	if [ -f "$FIX/trees/$K/scripts/checkpatch.pl" ]; then
		echo "$FIX/trees/$K/scripts"
		return
	fi
	tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || return 1
	top=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$T" "$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch" && echo "$T/$top/scripts"
}
CP=$(checkpatch_dir)

checkpatch_clean() {
	sed -n '/^-- >8 --$/,$p' "$T/draft" | sed 1d >"$T/inline.patch" &&
	head -n 3 "$T/inline.patch" | grep -q "^From: Ann Fixer <ann@example.org>$" &&
	perl "$CP/checkpatch.pl" --no-tree --color=never "$T/inline.patch" >"$T/cp.out" 2>&1
	cat "$T/cp.out"
	grep -q "^total: 0 errors, 0 warnings, " "$T/cp.out"
}
if [ -n "$CP" ]; then
	check "checkpatch.pl: 0 errors and 0 warnings on the inline patch" checkpatch_clean
else
	skip "checkpatch.pl on the inline patch" "no /usr/src/linux-source-6.12*.tar.xz (linux-source-6.12)"
fi

reproducer() {
	sed -n '1,/^-- >8 --$/p' "$T/draft" >"$T/text" && cat "$T/text" &&
	grep -q "^overwrite-hole (\[W\]\[H\], 8192 bytes at 32768, warm extent cache, fresh mtime):$" "$T/text" &&
	grep -Eq "^  pwritev2-nowait +eagain +not run +eagain \(4096 B written\) +eagain$" "$T/text" &&
	grep -Eq "^  uring +ok-punted +not run +error:EIO +ok-punted$" "$T/text" &&
	grep -q "^  - overwrite-hole: pwritev2-nowait refused the write (eagain) after$" "$T/text" &&
	grep -q "^  - overwrite-hole: a plain io_uring write failed (EIO)$" "$T/text" &&
	grep -q "Expected: the hole is refused before anything is submitted" "$T/text" &&
	! grep -q "^overwrite-written" "$T/text" &&
	grep -q "debian-6.12 (linux-source-6.12 6.12.57-1)" "$T/text" &&
	grep -q "With the fix below, overwrite-hole answers as the table says." "$T/text" &&
	grep -qx "  kbackport build $K --variant posted" "$T/text" &&
	grep -qx "  kbackport boot $K --variant posted --workload dio --append DIO_BENCH=none" "$T/text" &&
	grep -qx "  kb-nowait --mnt /mnt --dev /dev/vdb --expect nowait-patched-$K.json" "$T/text"
}
check "the reproducer: the case posted gets wrong, expected vs base (not run), posted and patched, the commands" reproducer

to_file() {
	"$KB" mail $K --series "$S" --finding 1 -o "$T/out.mbox" >"$T/o.out" 2>"$T/o.err" &&
	grep -q "^$K: draft of 'Re: \[PATCH v2 2/2\] demo: pass the flags to demo_alloc()' (finding demo-nowait-hole) written to $T/out.mbox$" "$T/o.out" &&
	diff "$T/draft" "$T/out.mbox" | grep -v "^[<>] Date: " | grep -q '^[<>]' && return 1
	expect_exit 2 "$KB" mail $K --series "$S" -o "$T/out.mbox" 2>"$T/err" &&
	one_error "$T/err" "'$T/out.mbox' exists" && [ "$(ls "$T" | grep -c 'out.mbox')" = 1 ]
}
check "-o FILE: the same draft in a new file; an existing file is left alone (exit 2)" to_file

# git send-email as the drafter would run it, without sending.
send_email_dry_run() {
	git send-email --dry-run --confirm=never --smtp-server=/bin/false --from "$KBACKPORT_SIGNOFF" \
		"$T/draft" >"$T/se.out" 2>&1
	cat "$T/se.out"
	grep -q "^Result: OK$" "$T/se.out" && grep -q "^In-Reply-To: <$P2>$" "$T/se.out" &&
	grep -q "^References: <$COVER> <$P2>$" "$T/se.out" && grep -q "^To: Pat Author <pat@example.org>$" "$T/se.out" &&
	grep -q "^Sendmail: /bin/false -i pat@example.org .*linux-demo@lists.example.org rev@example.org quinn@example.org joerg@example.org" "$T/se.out" &&
	grep -q "^Subject: Re: \[PATCH v2 2/2\] demo: pass the flags to demo_alloc()$" "$T/se.out"
}
if git send-email --dump-aliases >/dev/null 2>&1; then
	check "git send-email --dry-run takes the draft: the reply's To, Cc, Subject, In-Reply-To, References" send_email_dry_run
else
	skip "git send-email --dry-run on the draft" "no git send-email here (packages git-email, libmailtools-perl)"
fi

# A port in the store without the fix: its patched results are not the fix's, and the draft's maker hears it.
stale_port() {
	cp "$KBACKPORT_WORK/ports/demo-nowait/$K/port.json" "$T/port.json" &&
	sed -i 's/"local": true, //' "$KBACKPORT_WORK/ports/demo-nowait/$K/port.json" &&
	"$KB" mail $K --series "$S" >/dev/null 2>"$T/err"
	ret=$?
	cp "$T/port.json" "$KBACKPORT_WORK/ports/demo-nowait/$K/port.json"
	cat "$T/err"
	[ $ret = 0 ] && grep -q "^warning: the port of '$K' in the store does not carry '$S/local/0001-demo-nowait-hole.patch'" "$T/err" &&
	! grep -q "does not carry" "$T/draft.err"
}
check "a port in the store without the fix: a warning that its patched results are not the fix's" stale_port

# The payload series as committed: its archive pages hide most addresses.
real_archive() {
	mkdir -p "$T/real/local" && cp -r "$SERIES/series.yaml" "$SERIES/archive" "$SERIES/upstream" "$T/real/" &&
	sed "s|$P2|20260618125735.4156639-2-libaokun@linux.alibaba.com|" "$S/local/0001-demo-nowait-hole.patch" \
		>"$T/real/local/0001-demo-nowait-hole.patch" &&
	"$KB" mail $K --series "$T/real" >"$T/real.draft" 2>"$T/real.err" || { cat "$T/real.err"; return 1; }
	cat "$T/real.err"
	sed -n '1,/^$/p' "$T/real.draft"
	grep -q "^Subject: Re: \[PATCH v2 1/8\] ext4: prevent sleeping allocation in NOWAIT write path$" "$T/real.draft" &&
	grep -q "^In-Reply-To: <20260618125735.4156639-2-libaokun@linux.alibaba.com>$" "$T/real.draft" &&
	grep -q "^To: Baokun Li <libaokun@linux.alibaba.com>$" "$T/real.draft" &&
	python3 -c '
import email, sys
m = email.message_from_file(open(sys.argv[1]))
cc = " ".join(m["Cc"].split())
assert cc == "Jan Kara <jack@suse.cz>, Zhang Yi <yi.zhang@huawei.com>, Sashiko <sashiko-bot@kernel.org>", cc' "$T/real.draft" &&
	grep -q "^warning: the archive shows 6 recipients of the thread without an address, left out of the draft: linux-ext4, tytso, adilger.kernel, ojaswin, ritesh.list and peng_wang$" "$T/real.err" &&
	grep -q "kb-nowait has not run on $K yet (base, posted and patched:" "$T/real.draft"
}
check "the payload's archive pages: To from the series, hidden addresses matched by name or local part, the rest named" real_archive

# A tree as 'kernels import' leaves one, as far as mail looks: refs/kbackport/base, git config, checkpatch.pl.
tree_checkpatch() {
	d=$KBACKPORT_WORK/trees/$K
	mkdir -p "$d/scripts" && cp "$CP/checkpatch.pl" "$d/scripts/" &&
	cp "$CP/spelling.txt" "$CP/const_structs.checkpatch" "$d/scripts/" 2>/dev/null
	git -C "$d" init -q && $GIT -C "$d" add -A && $GIT -C "$d" commit -qm base &&
	git -C "$d" update-ref refs/kbackport/base HEAD &&
	git -C "$d" config user.name "Tree Owner" && git -C "$d" config user.email owner@example.org &&
	env -u KBACKPORT_SIGNOFF "$KB" mail $K --series "$S" >"$T/tree.draft" 2>"$T/tree.err"
	ret=$?
	rm -rf "$d"
	cat "$T/tree.err"
	[ $ret = 0 ] && grep -q "^From: Tree Owner <owner@example.org>$" "$T/tree.draft" &&
	grep -q "^Signed-off-by: Tree Owner <owner@example.org>$" "$T/tree.draft" &&
	grep -q "^note: checkpatch on the fix (.*/mail-fix.patch): 0 errors, 0 warnings, " "$T/tree.err" &&
	sed -n '/^-- >8 --$/,$p' "$T/tree.draft" | sed 1d | cmp - "$KBACKPORT_WORK/ports/demo-nowait/$K/mail-fix.patch"
}
if [ -n "$CP" ]; then
	check "an imported tree: From and sign-off from its git config, its checkpatch.pl run on the fix (clean)" tree_checkpatch
else
	skip "an imported tree's checkpatch.pl on the fix" "no /usr/src/linux-source-6.12*.tar.xz (linux-source-6.12)"
fi

# A fix about the series as a whole links the cover letter: the reply goes to it.
cover() {
	mkdir -p "$T/whole" && cp -r "$S/series.yaml" "$S/archive" "$S/upstream" "$T/whole/" && mkdir "$T/whole/local" &&
	sed "s|$P2|$COVER|" "$S/local/0001-demo-nowait-hole.patch" >"$T/whole/local/0001-whole.patch" &&
	"$KB" mail $K --series "$T/whole" >"$T/cover.draft" 2>"$T/cover.err" || { cat "$T/cover.err"; return 1; }
	sed -n '1,/^$/p' "$T/cover.draft"
	grep -q "^Subject: Re: \[PATCH v2 0/2\] demo: honest NOWAIT writes$" "$T/cover.draft" &&
	grep -q "^In-Reply-To: <$COVER>$" "$T/cover.draft" && grep -q "^References: <$COVER>$" "$T/cover.draft" &&
	grep -q "^To: Pat Author <pat@example.org>$" "$T/cover.draft" &&
	grep -q "^Cc: linux-demo@lists.example.org, Rev Iewer <rev@example.org>$" "$T/cover.draft"
}
check "a fix linking the cover letter: the reply goes to 0/2, its To and Cc" cover

# Linking the cover but naming one patch 'N/M ("subject")' in its message: the
# reply is about that patch, threaded under it, or under the cover (said on
# stderr) where the archive does not show the patch's own Message-ID.
named() {
	mkdir -p "$T/named" && cp -r "$S/series.yaml" "$S/archive" "$S/upstream" "$T/named/" && mkdir "$T/named/local" &&
	sed -e "s|$P2|$COVER|" -e 's|^A NOWAIT write over|Patch 2/2 ("demo: pass the flags to demo_alloc()") lets a NOWAIT write over|' \
		"$S/local/0001-demo-nowait-hole.patch" >"$T/named/local/0001-named.patch" &&
	"$KB" mail $K --series "$T/named" >"$T/named.draft" 2>"$T/named.err" || { cat "$T/named.err"; return 1; }
	grep -q "^Subject: Re: \[PATCH v2 2/2\] demo: pass the flags to demo_alloc()$" "$T/named.draft" &&
	grep -q "^In-Reply-To: <$P2>$" "$T/named.draft" &&
	sed -n '1,/^$/p' "$T/named.draft" | sed ':a;N;$!ba;s/\n[ \t]\+/ /g' | grep -q "^References: <$COVER> <$P2>$" &&
	! grep -q "threads under the cover" "$T/named.err" &&
	sed -i "/message-id: $P2/d" "$T/named/series.yaml" &&
	"$KB" mail $K --series "$T/named" >"$T/named2.draft" 2>"$T/named2.err" &&
	grep -q "^Subject: Re: \[PATCH v2 2/2\] demo: pass the flags to demo_alloc()$" "$T/named2.draft" &&
	grep -q "^In-Reply-To: <$COVER>$" "$T/named2.draft" && grep -q "^References: <$COVER>$" "$T/named2.draft" &&
	grep -q "^note: patch 2/2's Message-ID is not in the archive: the reply threads under the cover letter <$COVER>$" "$T/named2.err"
}
check "a fix linking the cover but naming patch 2/2 with its subject: the reply is about 2/2, under the cover when 2/2's Message-ID is unknown" named

# errors: each one line and its exit code
errors() {
	expect_exit 3 "$KB" mail nosuch --series "$S" 2>"$T/err" && one_error "$T/err" "unknown kernel 'nosuch'" &&
	expect_exit 2 "$KB" mail $K --series "$S" --finding frob 2>"$T/err" &&
	one_error "$T/err" "no local fix 'frob' for '$K'" "demo-nowait-hole" &&
	grep -v "^Link: " "$S/local/0001-demo-nowait-hole.patch" >"$S/local/0003-unlinked.patch" &&
	"$KB" mail $K --series "$S" >/dev/null 2>&1 &&
	expect_exit 4 "$KB" mail $K --series "$S" --finding unlinked 2>"$T/err" &&
	one_error "$T/err" "local fix '$S/local/0003-unlinked.patch' links no patch of the series" &&
	mkdir -p "$S/local/$K" &&
	sed -e "s/^Subject: .*/Subject: [PATCH] demo: another fix/" -e "/^ it$/d" \
		"$S/local/0001-demo-nowait-hole.patch" >"$S/local/$K/0002-demo-other.patch" &&
	expect_exit 2 "$KB" mail $K --series "$S" 2>"$T/err" &&
	one_error "$T/err" "2 findings for '$K': say which with --finding: demo-nowait-hole, demo-other" &&
	"$KB" mail $K --series "$S" --finding demo-other >"$T/other" 2>/dev/null &&
	grep -q "^Subject: \[PATCH\] demo: another fix$" "$T/other" &&
	rm -r "$S/local" &&
	expect_exit 3 "$KB" mail $K --series "$S" 2>"$T/err" && one_error "$T/err" "no local fix for '$K'"
}
check "errors: unknown kernel (3), unknown --finding (2), a fix linking no patch (4), several findings (2, names listed), no local fix (3)" errors

done_testing
