#!/bin/sh
# Debian 11's 5.10 as the tree where the semantic patches do real work: its
# source fetched from bullseye-security with our private apt (the system's
# apt state unchanged), `port --plan` on a tree that needs prerequisites
# (nothing written), a port that stops saying what lies ahead, and the whole
# series ported with the cocci/api rules' output committed.
. "$(dirname "$0")/lib.sh"
K=debian-5.10

apt_state() {
	find /etc/apt /var/lib/apt/lists /var/cache/apt/archives -maxdepth 2 -printf '%p %s %T@\n' 2>/dev/null |
		grep -v '/lock ' | sort
	md5sum /var/lib/dpkg/status
}
apt_state >"$T/apt.before"

fetched() {
	use_tree $K || return 1
	apt_state >"$T/apt.after"
	diff "$T/apt.before" "$T/apt.after" || return 1
	# fetched into our cache, never installed
	! dpkg-query -W -f '${Status}' linux-source-5.10 2>/dev/null | grep -q 'install ok installed' &&
	git -C "$KBACKPORT_WORK/trees/$K" log -1 --format=%s refs/kbackport/base | grep -q '^Import linux-source-5.10 5\.10\.'
}
if ! check "import $K: linux-source-5.10 from bullseye-security through a private apt; system apt state unchanged" fetched; then
	done_testing
	exit
fi
TREE=$KBACKPORT_WORK/trees/$K

# What a plan could write: refs, objects, the work tree, the store.
written() {
	git -C "$TREE" for-each-ref
	git -C "$TREE" count-objects
	git -C "$TREE" status --porcelain
	ls "$KBACKPORT_WORK"
}

plan() {
	written >"$T/w.before"
	"$KB" port $K --plan >"$T/plan" 2>&1 || { cat "$T/plan"; return 1; }
	cat "$T/plan"
	written >"$T/w.after"
	diff "$T/w.before" "$T/w.after" || { echo "the plan wrote something"; return 1; }
	grep -q '^\[prereq 2\] *adapted .*cocci:iomap_dio_rw-3-dio_flags' "$T/plan" &&
	grep -q 'needs rules iomap_dio_rw-1-private, iomap_dio_rw-2-done_before, iomap_dio_rw-3-dio_flags' "$T/plan" &&
	grep -q '^\[prereq 3\] *skipped .*folded into 0002' "$T/plan" &&
	grep -q '^\[5/8\] *adapted .*cocci:kiocb_modified' "$T/plan" &&
	grep -q '^\[6/8\] *skipped ' "$T/plan" &&
	grep -q '^\[7/8\] *adapted .*cocci:ext4_cached_nowait on fs/ext4/inode.c' "$T/plan" &&
	grep -q 'needs rule 0008-needs-zeroing-nowait' "$T/plan" &&
	grep -q "^$K: plan, nothing written: 7/8 (.* 1 skipped, 0 conflicts)" "$T/plan"
}
check "port --plan: every prerequisite and patch judged with the rules it needs; refs, objects, tree and store unchanged" plan

# The series without its 5.10 resolution of patch 7: a conflict the plan goes past.
cp -r "$SERIES" "$T/s7" && rm "$T/s7/$K/fixups/0007-"*.patch
plan_conflict() {
	"$KB" port $K --plan --series "$T/s7" >"$T/plan7" 2>&1 || { cat "$T/plan7"; return 1; }
	cat "$T/plan7"
	grep -q '^\[7/8\] *conflict .*fs/ext4/inode.c:[0-9]* has ext4_iomap_begin()' "$T/plan7" &&
	grep -q '^\[8/8\] *adapted ' "$T/plan7" &&
	grep -q "^$K: plan, nothing written: 6/8 (.* 1 conflict)" "$T/plan7"
}
check "port --plan past a conflict: patch 7 conflicts with the tree's line as evidence, patch 8 is still judged" plan_conflict

stop_ahead() {
	expect_exit 6 "$KB" port $K --series "$T/s7" >"$T/stop" 2>"$T/stop.err" || { cat "$T/stop" "$T/stop.err"; return 1; }
	cat "$T/stop" "$T/stop.err"
	grep -q "^$K: ahead of the conflict (port --plan, on the hunks that applied):" "$T/stop" &&
	sed -n '/ahead of the conflict/,$p' "$T/stop" | grep -q '^\[8/8\] *adapted ' &&
	[ -z "$(git -C "$TREE" status --porcelain)" ]
}
check "a port that stops on patch 7 lists what lies ahead (patch 8) and leaves the tree clean" stop_ahead

port_all() {
	"$KB" port $K >"$T/port" 2>&1 || { cat "$T/port"; return 1; }
	python3 - "$KBACKPORT_WORK/ports/$SNAME/$K/port.json" <<'PY' || return 1
import json, sys
p = json.load(open(sys.argv[1]))
st = {r["subject"]: r["status"] for r in p["patches"] if not r.get("prereq")}
used = {h["strategy"] for r in p["patches"] for h in r["hunks"] if h["strategy"].startswith("cocci:")}
want = {"cocci:iomap_dio_rw-1-private", "cocci:iomap_dio_rw-2-done_before", "cocci:iomap_dio_rw-3-dio_flags",
	"cocci:kiocb_modified", "cocci:ext4_cached_nowait", "cocci:0008-needs-zeroing-nowait"}
assert want <= used, (want - used)
assert sorted(st.values()).count("conflict") == 0 and list(st.values()).count("skipped") == 1, st
PY
	b=backport/$SNAME/$K
	git -C "$TREE" show "$b:fs/ext4/file.c" >"$T/file.c" && git -C "$TREE" show "$b:fs/ext4/inode.c" >"$T/inode.c" &&
	# 5.10's iomap: the bool form, with the synchronous kiocb's wait
	grep -q 'is_sync_kiocb(iocb) || dio_flags);' "$T/file.c" &&
	! grep -n 'IOMAP_DIO_FORCE_WAIT\|IOMAP_DIO_OVERWRITE_ONLY\|kiocb_modified(iocb)\|EXT4_GET_BLOCKS_CACHED_NOWAIT' \
		"$T/file.c" "$T/inode.c" &&
	! git -C "$TREE" grep -q ext4_iomap_overwrite_ops "$b" -- fs/ext4 &&
	sed -n '/^static bool ext4_dio_needs_zeroing(/,/^}/p' "$T/file.c" | grep -A1 'if (nowait)' | grep -q 'return true;' &&
	sed -n '/^static int ext4_iomap_begin(/,/^}/p' "$T/inode.c" | grep -A1 'if (flags & IOMAP_NOWAIT)' |
		grep -q 'return -EAGAIN;' &&
	git -C "$TREE" log --format=%B "$b" | grep -q '^\[ debian-5.10: .*cocci:iomap_dio_rw-3-dio_flags on fs/ext4/file.c'
}
check "port $K: the whole series, every needed api rule and the series' rule 0008 in port.json and the commits" port_all

done_testing
