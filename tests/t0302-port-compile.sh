#!/bin/sh
# The ported trees compile fs/ext4 (a minimal config: the build stage does full
# kernels and the vendor config).
# tier: full
. "$(dirname "$0")/lib.sh"
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
B=backport/ext4-dio-shared-lock

compile_ext4() {
	k=$1
	wt="$T/wt-$k"
	o="$T/o-$k"
	use_tree "$k" || exit 1
	git -C "$KBACKPORT_WORK/trees/$k" rev-parse -q --verify "$B/$k" >/dev/null || "$KB" port "$k" >/dev/null 2>&1
	git -C "$KBACKPORT_WORK/trees/$k" worktree add -q --detach "$wt" "$B/$k" || return 1
	mkdir -p "$o"
	(
		set -e
		make -C "$wt" O="$o" -s tinyconfig
		"$wt/scripts/config" --file "$o/.config" -e 64BIT -e BLOCK -e EXT4_FS -e FS_IOMAP
		make -C "$wt" O="$o" -s olddefconfig
		grep -q '^CONFIG_EXT4_FS=y' "$o/.config"
		make -C "$wt" O="$o" -j"$(nproc)" fs/ext4/ 2>"$T/$k.warn"
	) >"$T/$k.log" 2>&1
	rc=$?
	git -C "$KBACKPORT_WORK/trees/$k" worktree remove --force "$wt"
	[ $rc = 0 ] || { tail -n 20 "$T/$k.log"; return 1; }
	! grep -E 'fs/ext4/(file|inode)\.c:[0-9]+:[0-9]+: (warning|error)' "$T/$k.warn"
}
check "debian-6.12: the ported fs/ext4 compiles without warnings in file.c/inode.c" compile_ext4 debian-6.12
check "debian-6.1: the same" compile_ext4 debian-6.1

done_testing
