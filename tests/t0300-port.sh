#!/bin/sh
# kbackport port on the real Debian trees: outcomes, provenance, conflicts, --continue.
. "$(dirname "$0")/lib.sh"
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
B=backport/ext4-dio-shared-lock

tree_git() {
	k=$1
	shift
	git -C "$KBACKPORT_WORK/trees/$k" "$@"
}

for k in debian-6.12 debian-6.1; do
	use_tree "$k" || exit 1
done

port_outcomes() {
	k=$1
	"$KB" port "$k" --json >"$T/$k.json" || return 1
	python3 - "$T/$k.json" "$k" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); k = sys.argv[2]
p = [x for x in r["patches"] if not x["prereq"] and not x.get("local")]
st = {x["patch"]: x["status"] for x in p}
loc = [x for x in r["patches"] if x.get("local")]
assert [(x["patch"], x["status"]) for x in loc] == [(1, "clean")], loc
assert "/local/%s/0001-ext4-refuse-a-NOWAIT" % k in loc[0]["source"], loc[0]
assert r["posted"] != r["tip"] and len(r["posted"]) == 40, (r["posted"], r["tip"])
assert len(p) == 8 and "conflict" not in st.values(), st
assert st[2] == "already-present", st
h2 = p[1]["hunks"][0]
assert h2["strategy"] == "equivalent" and "inode_dio_wait(inode);" in h2["why"], h2
assert st[6] == "adapted" and p[5]["hunks"][0]["strategy"] == "dropped", p[5]
assert st[7] == "adapted" and "fixups/0007-" in p[6]["how"], p[6]
pre = {q["commit"][:12]: q for q in r["prereqs"]}
assert pre["012924f0eeef"]["state"] == "ported", pre
assert pre["378f32bab371"]["state"] == "present", pre
want = "skipped" if k == "debian-6.1" else "ported"
assert pre["5d87c7fca2c1"]["state"] == want, pre["5d87c7fca2c1"]
assert not [q for q in r["prereqs"] if q["state"] in ("missing", "conflict")], r["prereqs"]
PY
}
check "debian-6.12: 8/8 in, 2/8 already present, review drop, prerequisites ported, the local fix after" port_outcomes debian-6.12
check "debian-6.1: 8/8 in, 2/8 already present, 5d87c7fca2c1 deliberately skipped, the local fix after" port_outcomes debian-6.1

# what the branch holds, function by function
branch_semantics() {
	k=$1
	tree_git "$k" show "$B/$k:fs/ext4/file.c" >"$T/file.c" &&
	tree_git "$k" show "$B/$k:fs/ext4/inode.c" >"$T/inode.c" || return 1
	n=$(sed -n '/^static ssize_t ext4_buffered_write_iter/,/^}/p' "$T/file.c" | grep -c 'inode_dio_wait(inode);')
	[ "$n" = 1 ] || { echo "ext4_buffered_write_iter() has $n inode_dio_wait() calls"; return 1; }
	! grep -q 'return retval ? retval : -EAGAIN' "$T/inode.c" || { echo "review-dropped hunk applied"; return 1; }
	! grep -q 'ext4_iomap_overwrite_ops' "$T/inode.c" "$T/file.c" || { echo "overwrite ops still there"; return 1; }
	grep -q 'static bool ext4_dio_needs_zeroing(struct inode \*inode, loff_t pos, loff_t len,' "$T/file.c" &&
	sed -n '/^static int ext4_iomap_alloc/,/^}/p' "$T/inode.c" | grep -q 'if (flags & IOMAP_NOWAIT)' &&
	sed -n '/^static int ext4_iomap_begin(/,/^}/p' "$T/inode.c" | grep -q 'map_flags = EXT4_GET_BLOCKS_CACHED_NOWAIT;' &&
	grep -q 'ret = kiocb_modified(iocb);' "$T/file.c" &&
	# the local fix is the tip's, the series as posted does not have it
	sed -n '/^static int ext4_iomap_begin(/,/^}/p' "$T/inode.c" | grep -q '!ext4_iomap_rest_mapped(inode, &map, end' &&
	! tree_git "$k" show "$B/$k^:fs/ext4/inode.c" | grep -q ext4_iomap_rest_mapped &&
	tree_git "$k" log -1 --format=%B "$B/$k" | grep -q "^\[ Backporter's fix for"
}
check "debian-6.12: no second inode_dio_wait(), no dropped hunk, no overwrite ops" branch_semantics debian-6.12
check "debian-6.1: the same" branch_semantics debian-6.1

provenance() {
	k=debian-6.12
	c=$(tree_git $k log --format=%H --grep='prevent sleeping allocation' "$B/$k" -1)
	[ -n "$c" ] || return 1
	tree_git $k log -1 --format='%an|%ad|%cn' --date=iso-strict "$c" | grep -qx 'Baokun Li|2026-06-18T12:57:00+00:00|kbackport' &&
	tree_git $k log -1 --format=%B "$c" >"$T/msg" &&
	grep -qx 'Reviewed-by: Jan Kara <jack@suse.cz>' "$T/msg" &&
	grep -qx 'Link: https://lore.kernel.org/r/20260618125735.4156639-2-libaokun@linux.alibaba.com' "$T/msg" &&
	grep -q '^\[ debian-6.12: 1 hunk placed with reduced context \]$' "$T/msg" &&
	[ "$(grep -v "^$" "$T/msg" | tail -n 1)" = "Signed-off-by: kbackport <kbackport@localhost>" ] &&
	tree_git $k notes --ref=kbackport show "$c" | grep -q '"strategy": "fuzzy"' &&
	tree_git $k log --format=%B --grep='remove useless ext4_iomap_overwrite_ops' "$B/$k" -1 |
		grep -q '^\[ Upstream commit 012924f0eeef'
}
check "commits keep author and date, add Link:, [ kernel: ... ], sign-off, notes" provenance

reproducible() {
	a=$(tree_git debian-6.12 rev-parse "$B/debian-6.12") &&
	"$KB" port debian-6.12 >/dev/null &&
	[ "$(tree_git debian-6.12 rev-parse "$B/debian-6.12")" = "$a" ] &&
	[ -z "$(tree_git debian-6.12 status --porcelain)" ]
}
check "a second port gives the same commits and leaves the tree clean" reproducible

# The local layer: --no-local is the series as posted; a kernel's own local/<kernel>/
# patch replaces the general one of the same name; a quilt export labels it the
# vendor's; one that does not apply stops the port, and --continue sends the
# user to the file.
local_commit() {
	# local_commit KERNEL WORDS: a commit on the port's tip changing a comment, as format-patch
	tree_git "$1" checkout -q -b kb-local-demo "$B/$1" &&
	sed -i "0,/^ \*  linux\/fs\/ext4\/file.c\$/s//& ($2)/" "$KBACKPORT_WORK/trees/$1/fs/ext4/file.c" &&
	tree_git "$1" -c user.name=kbackport -c user.email=kbackport@localhost commit -q -a -m "ext4: local demo ($2)" \
		-m "A backporter's fix made by the test." &&
	tree_git "$1" format-patch -1 --stdout &&
	tree_git "$1" checkout -q base && tree_git "$1" branch -q -D kb-local-demo
}
local_layer() {
	posted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["posted"])' \
		"$KBACKPORT_WORK/ports/$SNAME/debian-6.12/port.json") &&
	"$KB" port debian-6.12 --no-local >"$T/nl.out" &&
	[ "$(tree_git debian-6.12 rev-parse "$B/debian-6.12")" = "$posted" ] && ! grep -q '^\[local' "$T/nl.out" &&
	"$KB" port debian-6.12 >"$T/l.out" && grep -q '^\[local 1\] *clean  *ext4: refuse a NOWAIT' "$T/l.out" &&
	grep -q '^debian-6.12: 1 local fix carried after the series' "$T/l.out" &&
	cp -r "$SERIES" "$T/local-demo" && rm -rf "$T/local-demo/local" && mkdir -p "$T/local-demo/local/debian-6.12" &&
	local_commit debian-6.1 general >"$T/local-demo/local/0001-demo.patch" &&
	local_commit debian-6.12 own >"$T/local-demo/local/debian-6.12/0001-demo.patch" &&
	"$KB" port debian-6.12 --series "$T/local-demo" >/dev/null && "$KB" port debian-6.1 --series "$T/local-demo" >/dev/null &&
	tree_git debian-6.12 show backport/local-demo/debian-6.12:fs/ext4/file.c | grep -q '^ \*  linux/fs/ext4/file.c (own)$' &&
	tree_git debian-6.1 show backport/local-demo/debian-6.1:fs/ext4/file.c | grep -q '^ \*  linux/fs/ext4/file.c (general)$' &&
	"$KB" export debian-6.12 --series "$T/local-demo" --format quilt -o "$T/lq" >/dev/null &&
	last=$(tail -n 1 "$T/lq/patches/series") && grep -q '^Subject: ext4: local demo (own)$' "$T/lq/patches/$last" &&
	grep -qx 'Origin: vendor' "$T/lq/patches/$last" && grep -qx 'Forwarded: no' "$T/lq/patches/$last" &&
	sed -i 's|^- \*  linux/fs/ext4/file.c$|- *  linux/fs/ext4/elsewhere.c|' "$T/local-demo/local/debian-6.12/0001-demo.patch" &&
	expect_exit 6 "$KB" port debian-6.12 --series "$T/local-demo" >"$T/lc.out" 2>"$T/lc.err" &&
	grep -q '^\[local 1\] *conflict' "$T/lc.out" &&
	[ -s "$KBACKPORT_WORK/ports/local-demo/debian-6.12/local-0001-demo.patch.rej" ] &&
	expect_exit 2 "$KB" port --continue debian-6.12 --series "$T/local-demo" 2>"$T/lk.err" &&
	one_error "$T/lk.err" "the port stopped on a local fix: fix the file under $T/local-demo/local/ instead"
}
check "local fixes: --no-local is the series as posted, a kernel's own replaces the general, quilt says vendor, a conflict stops" local_layer
tree_git debian-6.12 checkout -q -f base
for k in debian-6.12 debian-6.1; do tree_git $k branch -q -D backport/local-demo/$k 2>/dev/null; done

# A copy of the series without the recorded 6.12 fixup: the port stops at 7/8.
cp -r "$SERIES" "$T/conflict-demo"
rm -rf "$T/conflict-demo/debian-6.12"
restore() {
	tree_git debian-6.12 checkout -q -f base
	rm -f "$KBACKPORT_WORK/ports/conflict-demo/debian-6.12/state"
}
conflict_stops() {
	"$KB" port debian-6.12 --series "$T/conflict-demo" >"$T/c.out" 2>"$T/c.err"
	rc=$?
	[ $rc = 6 ] || { echo "exit $rc"; cat "$T/c.err"; return 1; }
	grep -q '^\[7/8\] *conflict' "$T/c.out" &&
	grep -q "$KBACKPORT_WORK/ports/conflict-demo/debian-6.12/0007.rej" "$T/c.err" &&
	grep -q '# ext4_iomap_begin() in the tree now' "$KBACKPORT_WORK/ports/conflict-demo/debian-6.12/0007.rej" &&
	[ "$(tree_git debian-6.12 log --format=%s -1 backport/conflict-demo/debian-6.12)" = \
	  "ext4: return -EAGAIN from ext4_map_blocks() in NOWAIT cache miss" ] &&
	[ "$(tree_git debian-6.12 symbolic-ref HEAD)" = refs/heads/backport/conflict-demo/debian-6.12 ] &&
	[ -z "$(tree_git debian-6.12 status --porcelain)" ] &&
	grep -q "$KBACKPORT_WORK/ports/conflict-demo/debian-6.12/0007.partial.diff" "$T/c.err" &&
	grep -q '^+++ b/fs/ext4/inode.c' "$KBACKPORT_WORK/ports/conflict-demo/debian-6.12/0007.partial.diff"
}
check "a conflict stops the port: exit 6, .rej with the function, branch at the last good commit, the tree clean" conflict_stops

# what the human does next: the hunks that applied, into the tree
dirty_refused() {
	tree_git debian-6.12 apply "$KBACKPORT_WORK/ports/conflict-demo/debian-6.12/0007.partial.diff" &&
	expect_exit 4 "$KB" port debian-6.12 --series "$T/conflict-demo" 2>"$T/d.err" &&
	grep -q "has changes: 'fs/ext4/inode.c'" "$T/d.err"
}
check "a dirty tree is refused, naming the files" dirty_refused

continue_records() {
	python3 - $KBACKPORT_WORK/trees/debian-6.12/fs/ext4/inode.c <<'PY' || return 1
import sys
p = sys.argv[1]; s = open(p).read()
i = s.index("static int ext4_iomap_begin(struct inode *inode, loff_t offset, loff_t length,")
h, b = s[:i], s[i:]
b = b.replace("\tu8 blkbits = inode->i_blkbits;\n", "\tu8 blkbits = inode->i_blkbits;\n\tint map_flags = 0;\n", 1)
old = "\t\t\t  EXT4_MAX_LOGICAL_BLOCK) - map.m_lblk + 1;\n"
b = b.replace(old, old + "\t/*\n\t * In NOWAIT context, only use cached extent info. If es cache misses,\n"
              "\t * return -EAGAIN to avoid sleeping on down_read(i_data_sem).\n\t */\n"
              "\tif (flags & IOMAP_NOWAIT)\n\t\tmap_flags = EXT4_GET_BLOCKS_CACHED_NOWAIT;\n", 1)
open(p, "w").write(h + b)
PY
	"$KB" port --continue debian-6.12 --series "$T/conflict-demo" >"$T/k.out" 2>&1 || { cat "$T/k.out"; return 1; }
	ls "$T"/conflict-demo/debian-6.12/fixups/0007-*.patch >/dev/null &&
	[ "$(tree_git debian-6.12 rev-parse "backport/conflict-demo/debian-6.12^{tree}")" = \
	  "$(tree_git debian-6.12 rev-parse "$B/debian-6.12^{tree}")" ] &&
	[ "$(tree_git debian-6.12 symbolic-ref HEAD)" = refs/heads/base ] &&
	"$KB" port debian-6.12 --series "$T/conflict-demo" | grep -q '^\[7/8\] *adapted'
}
check "--continue records the fix as fixups/0007-*.patch; the next port replays it" continue_records
restore
tree_git debian-6.12 branch -q -D backport/conflict-demo/debian-6.12 2>/dev/null

bad_input() {
	expect_exit 3 "$KB" port debian-9 2>"$T/e1" && grep -q "kernels/debian-9.yaml" "$T/e1" &&
	KBACKPORT_WORK="$T/nowork" expect_exit 3 "$KB" port debian-6.12 2>"$T/e2" &&
	grep -q "kbackport kernels import debian-6.12" "$T/e2" &&
	cp -r "$SERIES" "$T/broken" && rm "$T"/broken/upstream/0004-*.patch &&
	expect_exit 3 "$KB" port debian-6.12 --series "$T/broken" 2>"$T/e3" &&
	grep -q "lacks 'upstream/0004-" "$T/e3" &&
	cp -r "$SERIES" "$T/nofile" &&
	sed -i 's|fs/ext4/file\.c|fs/ext4/nofile.c|g' "$T"/nofile/upstream/0003-*.patch &&
	tip=$(tree_git debian-6.12 rev-parse "$B/debian-6.12") &&
	expect_exit 4 "$KB" port debian-6.12 --series "$T/nofile" 2>"$T/e4" &&
	grep -q "changes 'fs/ext4/nofile.c', which debian-6.12 lacks" "$T/e4" &&
	[ "$(tree_git debian-6.12 rev-parse "$B/debian-6.12")" = "$tip" ] &&
	! tree_git debian-6.12 rev-parse -q --verify backport/nofile/debian-6.12 >/dev/null
}
check "unknown kernel, tree not imported, series missing a file, a file the tree lacks: clear errors, nothing changed" bad_input

# Interrupts at tenths of a measured full port, so the sweep covers every stage
# (checkout, prerequisites, each patch) whatever the machine's speed.
interrupted_at() {
	timeout -s INT "$1" "$KB" port debian-6.12 >/dev/null 2>&1
	tip=$(tree_git debian-6.12 rev-parse "$B/debian-6.12") || return 1
	locks=$(find $KBACKPORT_WORK/trees/debian-6.12/.git -name '*.lock')
	[ -z "$locks" ] || { echo "at $1 s: lock files left: $locks"; return 1; }
	[ -z "$(tree_git debian-6.12 status --porcelain -uno)" ] || { echo "at $1 s: work tree modified"; return 1; }
	[ "$tip" = "$(tree_git debian-6.12 rev-parse refs/kbackport/base)" ] ||
		tree_git debian-6.12 notes --ref=kbackport show "$tip" >/dev/null ||
		{ echo "at $1 s: branch at $tip, which has no note"; return 1; }
}

interrupted() {
	start=$(date +%s%N)
	"$KB" port debian-6.12 >/dev/null 2>&1 || return 1
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	for tenth in 1 2 3 4 5 6 7 8 9; do
		interrupted_at "$(awk -v ms="$ms" -v t="$tenth" 'BEGIN { printf "%.3f", ms * t / 10000 }')" || return 1
	done
}
check "an interrupted port leaves the branch at a complete commit" interrupted
"$KB" port debian-6.12 >/dev/null 2>&1

done_testing
