#!/bin/sh
# cocci/api rules run by the real spatch on functions of the Debian sources,
# on synthetic inputs that need them, the survey against grep of the trees,
# and semantic patches inside `kbackport port`.
. "$(dirname "$0")/lib.sh"
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
API="$ROOT/cocci/api"
FILES="fs/ext4/file.c fs/ext4/inode.c fs/ext4/ext4.h fs/ext2/file.c fs/xfs/xfs_file.c fs/gfs2/file.c
include/linux/fs.h include/linux/iomap.h"

# src K PATH: the file from the imported tree's base, else from the linux-source tarball.
src() {
	if git -C "$KBACKPORT_WORK/trees/$1" rev-parse -q --verify refs/kbackport/base >/dev/null 2>&1; then
		git -C "$KBACKPORT_WORK/trees/$1" show "refs/kbackport/base:$2"
		return
	fi
	v=${1#debian-}
	if [ ! -d "$T/src-$1" ]; then
		mkdir -p "$T/src-$1"
		# shellcheck disable=SC2086
		tar -xJf "/usr/src/linux-source-$v.tar.xz" -C "$T/src-$1" --strip-components=1 \
			$(for f in $FILES; do echo "linux-source-$v/$f"; done) || return 1
	fi
	cat "$T/src-$1/$2"
}

# func K PATH NAME: one function definition (from its first line to the closing brace).
func() {
	src "$1" "$2" >"$T/func.src" && body "$T/func.src" "$3"
}

# sp RULE FILE: the rule in patch mode, in place; spatch's own exit status.
sp() {
	spatch --very-quiet --no-includes --sp-file "$API/$1.cocci" -D patch --in-place "$2" >"$T/sp.out" 2>&1 ||
		{ cat "$T/sp.out"; return 1; }
}

# body FILE NAME: the function NAME in FILE.
body() {
	# "static int f(" on one line, or xfs style "STATIC int" then "f(" at column 0
	awk -v n="$2" '!on && $0 ~ "^" n "\\(" { on = 1; print prev } !on && $0 ~ "^[a-zA-Z].*[ *]" n "\\(" { on = 1 }
		on { print } on && /^}/ { exit } { prev = $0 }' "$1"
}

# Every iomap_dio_rw() call in FILE, one a line, with its argument count.
dio_calls() {
	python3 - "$1" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
for m in re.finditer(r'(?<![\w>])iomap_dio_rw\(', s):
	i, depth, args, cur = m.end(), 1, [], ""
	while depth:
		c = s[i]; i += 1
		if c == '(': depth += 1
		elif c == ')': depth -= 1
		if depth == 1 and c == ',': args.append(cur); cur = ""; continue
		if depth: cur += c
	args.append(cur)
	if args == [""]:
		continue	# a mention in a comment: "iomap_dio_rw()"
	print(len(args), " ".join(" ".join(a.split()) for a in args))
PY
}

kiocb_real() {
	func debian-6.12 fs/ext2/file.c ext2_dio_write_iter >"$T/k.c" &&
	func debian-6.12 fs/xfs/xfs_file.c xfs_file_write_checks >>"$T/k.c" || return 1
	grep -q 'ret = kiocb_modified(iocb);' "$T/k.c" && grep -q 'return kiocb_modified(iocb);' "$T/k.c" || return 1
	sp kiocb_modified "$T/k.c" || return 1
	! grep -n 'kiocb_modified' "$T/k.c" || return 1
	for f in ext2_dio_write_iter xfs_file_write_checks; do
		body "$T/k.c" $f >"$T/f.c"
		# the NOWAIT guard returns (or sets) -EAGAIN, and comes before the file_modified() call
		python3 - "$T/f.c" <<'PY' || { echo "in $f"; return 1; }
import sys
s = open(sys.argv[1]).read()
g = s.index("if (iocb->ki_flags & IOCB_NOWAIT) {")
e = s.index("-EAGAIN", g)
fm = s.index("file_modified(iocb->ki_filp)", g)
assert g < e < fm, (g, e, fm)
assert "if (!IS_NOSEC(kb_inode))" in s[g:fm] and "timespec64_equal(&kb_inode->i_mtime, &kb_now)" in s[g:fm]
PY
	done
}
check "kiocb_modified: ext2_dio_write_iter and xfs_file_write_checks (6.12) now guard IOCB_NOWAIT, then file_modified()" kiocb_real

kiocb_synthetic() {
	# ext4_write_checks as patch 5/8 leaves it, on a tree that lacks kiocb_modified()
	func debian-6.1 fs/ext4/file.c ext4_write_checks | sed 's/file_modified(iocb->ki_filp)/kiocb_modified(iocb)/' >"$T/s.c"
	grep -q 'ret = kiocb_modified(iocb);' "$T/s.c" && sp kiocb_modified "$T/s.c" || return 1
	grep -q 'ret = -EAGAIN;' "$T/s.c" && grep -q 'if (!ret)' "$T/s.c" &&
	grep -q 'ret = file_modified(iocb->ki_filp);' "$T/s.c" && ! grep -q kiocb_modified "$T/s.c"
}
check "kiocb_modified: a synthetic ext4_write_checks using kiocb_modified() on 6.1 is rewritten" kiocb_synthetic

nowait_real() {
	func debian-6.12 fs/ext4/inode.c ext4_map_blocks >"$T/m.c" || return 1
	n=$(grep -c 'if (flags & EXT4_GET_BLOCKS_CACHED_NOWAIT)' "$T/m.c")
	[ "$n" -ge 1 ] || { echo "fixture has no test of the flag"; return 1; }
	sp ext4_cached_nowait "$T/m.c" && ! grep -n EXT4_GET_BLOCKS_CACHED_NOWAIT "$T/m.c" &&
	grep -q 'ext4_es_lookup_extent' "$T/m.c"
}
check "ext4_cached_nowait: ext4_map_blocks (6.12) loses its tests of the flag, keeps the cache lookup" nowait_real

nowait_synthetic() {
	cat >"$T/n.c" <<'EOF'
static int fs_iomap_begin(struct inode *inode, struct ext4_map_blocks *map, unsigned flags)
{
	int map_flags = 0;

	if (flags & IOMAP_NOWAIT)
		map_flags = EXT4_GET_BLOCKS_CACHED_NOWAIT;
	return ext4_map_blocks(NULL, inode, map, map_flags);
}
EOF
	sp ext4_cached_nowait "$T/n.c" || return 1
	grep -A1 'if (flags & IOMAP_NOWAIT)' "$T/n.c" | grep -q 'return -EAGAIN;' &&
	! grep -q EXT4_GET_BLOCKS_CACHED_NOWAIT "$T/n.c"
}
check "ext4_cached_nowait: selecting the flag under IOMAP_NOWAIT becomes return -EAGAIN" nowait_synthetic

overwrite_real() {
	{
		src debian-6.12 fs/ext4/ext4.h | grep 'extern const struct iomap_ops ext4_iomap'
		func debian-6.12 fs/ext4/inode.c ext4_iomap_overwrite_begin
		src debian-6.12 fs/ext4/inode.c | sed -n '/^const struct iomap_ops ext4_iomap_ops = {/,/^};/p'
		src debian-6.12 fs/ext4/inode.c | sed -n '/^const struct iomap_ops ext4_iomap_overwrite_ops = {/,/^};/p'
		func debian-6.12 fs/ext4/file.c ext4_dio_write_iter
	} >"$T/o.c" || return 1
	[ "$(grep -c ext4_iomap_overwrite "$T/o.c")" -ge 4 ] || { echo "fixture lacks the ops"; return 1; }
	sp ext4_iomap_overwrite_ops "$T/o.c" || return 1
	! grep -n 'ext4_iomap_overwrite' "$T/o.c" && grep -q '^const struct iomap_ops ext4_iomap_ops = {' "$T/o.c" &&
	body "$T/o.c" ext4_dio_write_iter | grep -q 'ret = iomap_dio_rw(iocb, from, iomap_ops,'
}
check "ext4_iomap_overwrite_ops: the 6.12 ops table, its begin, extern and selection are gone" overwrite_real

overwrite_synthetic() {
	# code written for a tree with the ops, on one without them (upstream after 012924f0eeef)
	printf 'static ssize_t w(struct kiocb *iocb, struct iov_iter *from)\n{\n\treturn iomap_dio_rw(iocb, from, &ext4_iomap_overwrite_ops, NULL, 0, NULL, 0);\n}\n' >"$T/w.c"
	sp ext4_iomap_overwrite_ops "$T/w.c" && grep -q 'iomap_dio_rw(iocb, from, &ext4_iomap_ops, NULL, 0, NULL, 0)' "$T/w.c"
}
check "ext4_iomap_overwrite_ops: a reference on a tree without them becomes &ext4_iomap_ops" overwrite_synthetic

dio_real() {
	for f in fs/ext4/file.c fs/xfs/xfs_file.c fs/gfs2/file.c fs/ext2/file.c; do
		src debian-6.12 $f >"$T/$(echo $f | tr / _)" || return 1
	done
	cat "$T"/fs_*.c >"$T/all.c"
	before=$(dio_calls "$T/all.c" | wc -l)
	[ "$before" -ge 8 ] && [ "$(dio_calls "$T/all.c" | grep -vc '^7 ')" = 0 ] || { dio_calls "$T/all.c"; return 1; }
	for f in "$T"/fs_*.c; do sp iomap_dio_rw-1-private "$f" || return 1; done
	cat "$T"/fs_*.c >"$T/all.c"
	dio_calls "$T/all.c" >"$T/calls"
	[ "$(wc -l <"$T/calls")" = "$before" ] && [ "$(grep -vc '^6 ' "$T/calls")" = 0 ] || { cat "$T/calls"; return 1; }
	for f in "$T"/fs_*.c; do sp iomap_dio_rw-2-done_before "$f" || return 1; done
	cat "$T"/fs_*.c >"$T/all.c"
	dio_calls "$T/all.c" >"$T/calls"
	# done_before 0 is dropped; gfs2's partial-DIO retries (read, written) need 4fdccaa0d184: kept
	[ "$(wc -l <"$T/calls")" = "$before" ] && [ "$(grep -c '^5 ' "$T/calls")" -ge 6 ] &&
	[ "$(grep -v '^5 ' "$T/calls" | grep -vc '^6 .* \(read\|written\)$')" = 0 ] || { cat "$T/calls"; return 1; }
	sp iomap_dio_rw-3-dio_flags "$T/fs_ext4_file.c" &&
	dio_calls "$T/fs_ext4_file.c" | grep -q '^5 iocb to &ext4_iomap_ops NULL is_sync_kiocb(iocb)$'
}
check "iomap_dio_rw: every caller in ext4, ext2, xfs, gfs2 (6.12) goes 7 -> 6 -> 5 arguments, 0 -> is_sync_kiocb(iocb)" dio_real

dio_synthetic() {
	printf 'static ssize_t w(struct kiocb *iocb, struct iov_iter *from, bool unaligned)\n{\n\treturn iomap_dio_rw(iocb, from, &ops, &dops, unaligned ? IOMAP_DIO_FORCE_WAIT : 0, NULL, 0);\n}\n' >"$T/d.c"
	printf 'static ssize_t x(struct kiocb *iocb, struct iov_iter *from, void *p)\n{\n\treturn iomap_dio_rw(iocb, from, &ops, NULL, 0, p, 0);\n}\n' >"$T/p.c"
	for r in iomap_dio_rw-1-private iomap_dio_rw-2-done_before iomap_dio_rw-3-dio_flags; do
		sp $r "$T/d.c" && sp $r "$T/p.c" || return 1
	done
	# a non-NULL private cannot be dropped: left alone for a human
	dio_calls "$T/d.c" | grep -qx '5 iocb from &ops &dops is_sync_kiocb(iocb) || unaligned' &&
	dio_calls "$T/p.c" | grep -q '^7 '
}
check "iomap_dio_rw: the 7-argument form becomes the v5.5 bool form; a non-NULL private is left alone" dio_synthetic

# Debian 11's 5.10: the rules on its own functions (cut from the tree, fetched at test
# time with our private apt), rewritten the way upstream code reaches them.
if use_tree debian-5.10 >/dev/null 2>&1; then
	dio_510() {
		# upstream's read call, translated, is 5.10's own line
		func debian-5.10 fs/ext4/file.c ext4_dio_read_iter >"$T/r510.c" &&
		dio_calls "$T/r510.c" >"$T/native" && grep -qx '5 iocb to &ext4_iomap_ops NULL is_sync_kiocb(iocb)' "$T/native" ||
			{ cat "$T/native"; return 1; }
		sed -i 's/is_sync_kiocb(iocb));/0, NULL, 0);/' "$T/r510.c"
		# the write call as prerequisite 310ee0902b8d writes it, and its FORCE_WAIT store
		func debian-5.10 fs/ext4/file.c ext4_dio_write_iter |
			sed 's/is_sync_kiocb(iocb) || unaligned_io || extend);/dio_flags, NULL, 0);/;
			     s/^\tif (unaligned_io)$/\tif (unaligned_io)\n\t\tdio_flags = IOMAP_DIO_FORCE_WAIT;\n\tif (unaligned_io)/' \
			>"$T/w510.c" && grep -q 'dio_flags, NULL, 0);' "$T/w510.c" || return 1
		for f in "$T/r510.c" "$T/w510.c"; do
			for r in iomap_dio_rw-1-private iomap_dio_rw-2-done_before iomap_dio_rw-3-dio_flags; do
				sp $r "$f" || return 1
			done
		done
		dio_calls "$T/r510.c" | diff - "$T/native" &&
		dio_calls "$T/w510.c" | grep -qx '5 iocb from iomap_ops &ext4_dio_write_ops is_sync_kiocb(iocb) || dio_flags' &&
		grep -q 'dio_flags = true;' "$T/w510.c" && ! grep -q IOMAP_DIO_FORCE_WAIT "$T/w510.c"
	}
	check "iomap_dio_rw on 5.10's ext4 DIO functions: 0 -> is_sync_kiocb(iocb) (5.10's own line), a flags variable keeps the sync wait" dio_510

	native_510() {
		# 5.10's own callers are already in the bool form: no rule may touch them
		for f in fs/ext4/file.c fs/xfs/xfs_file.c fs/gfs2/file.c; do
			src debian-5.10 $f >"$T/n510.c" && cp "$T/n510.c" "$T/n510.orig" || return 1
			for r in iomap_dio_rw-1-private iomap_dio_rw-2-done_before iomap_dio_rw-3-dio_flags; do
				sp $r "$T/n510.c" || return 1
			done
			cmp -s "$T/n510.c" "$T/n510.orig" || { diff "$T/n510.orig" "$T/n510.c"; return 1; }
		done
	}
	check "iomap_dio_rw rules leave 5.10's own ext4, xfs and gfs2 callers alone" native_510

	kiocb_510() {
		src debian-5.10 fs/ext4/file.c | sed 's/ret = file_modified(iocb->ki_filp);/ret = kiocb_modified(iocb);/' \
			>"$T/k510.c" && grep -q 'kiocb_modified(iocb)' "$T/k510.c" || return 1
		! grep -q '<linux/iversion.h>' "$T/k510.c" || { echo "5.10's file.c includes iversion.h already"; return 1; }
		sp kiocb_modified "$T/k510.c" || return 1
		# 5.10's struct inode still has the field the rewrite reads
		src debian-5.10 include/linux/fs.h | grep -q 'struct timespec64	i_mtime;' &&
		[ "$(grep -c '^#include <linux/iversion.h>$' "$T/k510.c")" = 1 ] &&
		grep -A1 '^#include <linux/fs.h>$' "$T/k510.c" | grep -q iversion &&
		body "$T/k510.c" ext4_write_checks | grep -q 'inode_iversion_need_inc(kb_inode)' &&
		! grep -q 'kiocb_modified(iocb)' "$T/k510.c"
	}
	check "kiocb_modified on 5.10's fs/ext4/file.c: rewritten, and <linux/iversion.h> added once after <linux/fs.h>" kiocb_510

	nowait_510() {
		# 7/8's selection in 5.10's ext4_iomap_begin(); 8/8's in a bool predicate
		func debian-5.10 fs/ext4/inode.c ext4_iomap_begin |
			sed 's/^\tif (flags & IOMAP_WRITE) {$/\tif (flags \& IOMAP_NOWAIT)\n\t\tmap_flags = EXT4_GET_BLOCKS_CACHED_NOWAIT;\n&/' \
			>"$T/b510.c" && grep -q CACHED_NOWAIT "$T/b510.c" || return 1
		printf 'static bool ext4_dio_needs_zeroing(struct inode *inode, loff_t pos, loff_t len,\n\t\t\t\t   bool nowait)\n{\n\tint map_flags = 0;\n\n\tif (nowait)\n\t\tmap_flags = EXT4_GET_BLOCKS_CACHED_NOWAIT;\n\treturn ext4_map_blocks(NULL, inode, NULL, map_flags) <= 0;\n}\n' >"$T/z.c"
		sp ext4_cached_nowait "$T/b510.c" && sp ext4_cached_nowait "$T/z.c" || return 1
		grep -A1 'if (flags & IOMAP_NOWAIT)' "$T/b510.c" | grep -q 'return -EAGAIN;' &&
		grep -q 'map_flags = EXT4_GET_BLOCKS_CACHED_NOWAIT;' "$T/z.c" || return 1
		spatch --very-quiet --no-includes --sp-file "$SERIES/cocci/0008-needs-zeroing-nowait.cocci" -D patch \
			--in-place "$T/z.c" >"$T/sp.out" 2>&1 || { cat "$T/sp.out"; return 1; }
		grep -A1 'if (nowait)' "$T/z.c" | grep -q 'return true;' && ! grep -q CACHED_NOWAIT "$T/z.c"
	}
	check "ext4_cached_nowait on 5.10's ext4_iomap_begin: -EAGAIN; a bool predicate is left to the series' rule 0008 (true)" nowait_510
else
	skip "cocci/api rules on 5.10 code" "linux-source-5.10 could not be fetched from bullseye-security"
fi

report_mode() {
	printf 'int f(struct kiocb *iocb)\n{\n\treturn kiocb_modified(iocb);\n}\n' >"$T/r.c"
	spatch --very-quiet --no-includes --sp-file "$API/kiocb_modified.cocci" -D report "$T/r.c" >"$T/r.out" 2>&1 &&
	grep -q "r.c:3:.*kiocb_modified() is absent" "$T/r.out" && ! grep -q '^---' "$T/r.out"
}
check "report mode names the line and changes nothing" report_mode

headers() {
	for f in "$API"/*.cocci; do
		head -1 "$f" | grep -q '^///' && grep -Eq '^// Confidence: (High|Moderate|Low)$' "$f" &&
		grep -q '^// Comments: ' "$f" && grep -q '^// Needed-if: ' "$f" &&
		grep -q '^virtual patch' "$f" && grep -q '^virtual report' "$f" || { echo "$f"; return 1; }
		! grep -qi 'baokun\|shared i_rwsem series\|ext4-dio-shared-lock' "$f" || { echo "$f is series-specific"; return 1; }
	done
}
check "every api rule has the kernel's header, probes, patch and report modes, nothing series-specific" headers

# The survey against grep of each tree.
survey_vs_grep() {
	k=$1
	use_tree "$k" || return 1
	"$KB" cocci survey "$k" --json >"$T/$k.survey" || return 1
	g() { git -C "$KBACKPORT_WORK/trees/$k" grep -n -w "$1" refs/kbackport/base -- "$2" | head -1 | cut -d: -f3; }
	python3 - "$T/$k.survey" "$k" \
		"$(g kiocb_modified include/linux/fs.h)" "$(g EXT4_GET_BLOCKS_CACHED_NOWAIT fs/ext4/ext4.h)" \
		"$(g IOMAP_DIO_FORCE_WAIT include/linux/iomap.h)" "$(g ext4_iomap_overwrite_ops fs/ext4/inode.c)" \
		"$(git -C "$KBACKPORT_WORK/trees/$k" grep -n -A2 '^ssize_t iomap_dio_rw(' refs/kbackport/base -- include/linux/iomap.h |
		   tr -d '\n' | sed 's/[^,]//g' | wc -c)" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); k = sys.argv[2]
fs, nowait, force, ow, commas = sys.argv[3:8]
assert fs and nowait and force and ow, sys.argv
r = {x["rule"]: x for x in s["rules"]}
assert len(r) >= 6 and not any(x["needed"] for x in r.values()), [(x["rule"], x["needed"]) for x in r.values()]
def ev(rule, want):
	assert any(want in e for e in r[rule]["evidence"]), (rule, want, r[rule]["evidence"])
ev("kiocb_modified", "include/linux/fs.h:%s: kiocb_modified present" % fs)
ev("ext4_cached_nowait", "fs/ext4/ext4.h:%s: EXT4_GET_BLOCKS_CACHED_NOWAIT present" % nowait)
ev("iomap_dio_rw-3-dio_flags", "include/linux/iomap.h:%s: IOMAP_DIO_FORCE_WAIT present" % force)
ev("ext4_iomap_overwrite_ops", "fs/ext4/inode.c:%s: ext4_iomap_overwrite_ops present" % ow)
ev("iomap_dio_rw-1-private", "iomap_dio_rw() takes %d parameters" % (int(commas) + 1))
PY
}
check "survey debian-6.12: nothing needed; evidence lines are where git grep finds the symbols" survey_vs_grep debian-6.12
check "survey debian-6.1: the same" survey_vs_grep debian-6.1

# An older tree (a git source made here from 6.12 files, kiocb_modified() removed from
# fs.h): the survey says the rule is needed, and port runs it on the patch that uses it.
old_tree() {
	G="git -c user.name=t -c user.email=t@example.org -c init.defaultBranch=main"
	o="$T/old"
	$G init -q "$o" && mkdir -p "$o/fs/ext4" "$o/include/linux" "$T/ok" "$T/ow" || return 1
	for f in fs/ext4/file.c include/linux/iversion.h include/linux/iomap.h; do
		src debian-6.12 $f >"$o/$f" || return 1
	done
	# 5.x fs.h: no kiocb_modified(), i_mtime still a field of struct inode
	src debian-6.12 include/linux/fs.h | grep -vw kiocb_modified |
		sed 's/^struct inode {$/&\n\tstruct timespec64\ti_mtime;/' >"$o/include/linux/fs.h"
	printf 'VERSION = 5\nPATCHLEVEL = 15\nSUBLEVEL = 0\nEXTRAVERSION =\n' >"$o/Makefile"
	$G -C "$o" add -A && $G -C "$o" commit -qm base && $G -C "$o" tag v5.15 || return 1
	sed -i '0,/ret = file_modified(iocb->ki_filp);/s//ret = kiocb_modified(iocb);/' "$o/fs/ext4/file.c"
	$G -C "$o" commit -qam "fs: use kiocb_modified() in the write checks" -m "Signed-off-by: A <a@example.org>" &&
	$G -C "$o" format-patch -q -1 --stdout >"$T/old.mbox" || return 1
	printf 'name: old\nsource: {git: {path: %s, ref: v5.15}}\narch: x86_64\nconfig: {base: tinyconfig}\n' "$o" \
		>"$T/ok/old.yaml"
	export KBACKPORT_WORK="$T/ow" KBACKPORT_KERNELS_DIR="$T/ok"
	"$KB" kernels import old >/dev/null && "$KB" series import "$T/old.mbox" -o "$T/oldseries" >/dev/null
}

old_survey() {
	"$KB" cocci survey old --json >"$T/old.json" || return 1
	python3 - "$T/old.json" <<'PY'
import json, sys
r = {x["rule"]: x for x in json.load(open(sys.argv[1]))["rules"]}
k = r["kiocb_modified"]
assert k["needed"] and k["usable"], k
assert "include/linux/fs.h: kiocb_modified absent" in k["evidence"], k
# no fs/ext4/ext4.h or inode.c in this tree: nothing for the ext4 rules to adapt
assert not r["ext4_cached_nowait"]["needed"] and not r["ext4_iomap_overwrite_ops"]["needed"], r
assert not any(x["needed"] for n, x in r.items() if n.startswith("iomap_dio_rw")), r
PY
}

old_port() {
	"$KB" port old --series "$T/oldseries" >"$T/oldport" || { cat "$T/oldport"; return 1; }
	grep -q '^\[1/1\] *adapted .*(cocci:kiocb_modified on fs/ext4/file.c)' "$T/oldport" || { cat "$T/oldport"; return 1; }
	git -C "$T/ow/trees/old" show backport/oldseries/old:fs/ext4/file.c >"$T/oldfile.c" &&
	body "$T/oldfile.c" ext4_write_checks >"$T/f.c" && cat "$T/f.c" &&
	! grep -q kiocb_modified "$T/f.c" && grep -q 'if (!IS_NOSEC(kb_inode))' "$T/f.c" &&
	grep -q 'ret = file_modified(iocb->ki_filp);' "$T/f.c"
}
if check "an older tree (5.x-style fs.h, made here) imports and its patch imports" old_tree; then
	check "survey of the older tree: kiocb_modified needed and usable, with evidence" old_survey
	check "port on the older tree runs the needed api rule: the commit has the NOWAIT guard" old_port
fi

# port: a per-series rule runs after its patch; a broken rule stops before anything moves.
# (On the older tree, so nothing touches $KBACKPORT_WORK/trees/.)
series_rule() {
	S="$T/os2"
	cp -r "$T/oldseries" "$S" && mkdir -p "$S/cocci" && echo "test rules" >"$S/cocci/INFO" || return 1
	cat >"$S/cocci/0001-generic-checks.cocci" <<'EOF'
/// test: call generic_write_checks() directly
// Confidence: High
// Comments: test only
// Options: --no-includes
virtual patch
virtual report

@depends on patch@
expression iocb, from;
@@
- ext4_generic_write_checks(iocb, from)
+ generic_write_checks(iocb, from)
EOF
	"$KB" port old --series "$S" >"$T/port.out" 2>&1 || { cat "$T/port.out"; return 1; }
	cat "$T/port.out"
	grep -q '^\[1/1\] *adapted .*(cocci:kiocb_modified on fs/ext4/file.c; cocci:0001-generic-checks on fs/ext4/file.c)' \
		"$T/port.out" || return 1
	python3 - "$T/ow/ports/os2/old/port.json" <<'PY' || return 1
import json, sys
p = json.load(open(sys.argv[1]))["patches"][0]
got = [x["strategy"] for x in p["hunks"]]
assert p["status"] == "adapted" and "cocci:kiocb_modified" in got and "cocci:0001-generic-checks" in got, got
PY
	git -C "$T/ow/trees/old" show backport/os2/old:fs/ext4/file.c >"$T/f2.c" &&
	body "$T/f2.c" ext4_write_checks | grep -q 'count = generic_write_checks(iocb, from);' &&
	git -C "$T/ow/trees/old" log -1 --format=%B backport/os2/old |
		grep -qF '[ old: cocci:kiocb_modified on fs/ext4/file.c; cocci:0001-generic-checks on fs/ext4/file.c ]'
}

broken_rule() {
	tip=$(git -C "$T/ow/trees/old" rev-parse backport/os2/old) || return 1
	printf '/// broken\n// Confidence: Low\n// Comments: test\nvirtual patch\n@depends on patch@\nexpression e;\n@@\n- foo(e\n' \
		>"$S/cocci/0001-broken.cocci"
	expect_exit 4 "$KB" port old --series "$S" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "spatch failed" "rule '$S/cocci/0001-broken.cocci'" "line" || return 1
	[ "$(git -C "$T/ow/trees/old" rev-parse backport/os2/old)" = "$tip" ] || { echo "branch moved"; return 1; }
	rm "$S/cocci/0001-broken.cocci"
	mv "$S/cocci/0001-generic-checks.cocci" "$S/cocci/0002-generic-checks.cocci"
	expect_exit 4 "$KB" port old --series "$S" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "0002-generic-checks.cocci' is not named NNNN-*.cocci after a patch of the series (1..1)" &&
	[ "$(git -C "$T/ow/trees/old" rev-parse backport/os2/old)" = "$tip" ]
}
if [ -n "${KBACKPORT_WORK:-}" ]; then
	check "port: per-series rule 0001 runs right after patch 1, after the api rule; port.json, output, commit say so" series_rule
	check "port: a rule spatch cannot parse, or one named after no patch: one error, exit 4, branch unmoved" broken_rule
fi
unset KBACKPORT_WORK KBACKPORT_KERNELS_DIR

done_testing
