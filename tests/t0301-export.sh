#!/bin/sh
# kbackport export: the committed mbox and quilt series are what the tool
# writes, git am and quilt push -a rebuild the branch from them.
. "$(dirname "$0")/lib.sh"
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
B=backport/ext4-dio-shared-lock

for k in debian-6.12 debian-6.1; do
	[ -d "work/trees/$k" ] || "$KB" kernels import "$k" >/dev/null 2>&1
	"$KB" port "$k" >/dev/null 2>&1
done

regenerated() {
	k=$1
	"$KB" export "$k" --format mbox -o "$T/$k" >/dev/null &&
	"$KB" export "$k" --format quilt -o "$T/$k" >/dev/null &&
	cmp "$T/$k/backport.mbox" "$SERIES/$k/backport.mbox" &&
	diff -r "$T/$k/patches" "$SERIES/$k/patches"
}
check "debian-6.12: committed exports are what export writes" regenerated debian-6.12
check "debian-6.1: committed exports are what export writes" regenerated debian-6.1

git_am_rebuilds() {
	k=$1
	wt="$T/am-$k"
	git -C "work/trees/$k" worktree add -q --detach "$wt" refs/kbackport/base &&
	git -C "$wt" -c user.name=t -c user.email=t@t am -q "$SERIES/$k/backport.mbox" &&
	a=$(git -C "$wt" rev-parse 'HEAD^{tree}') &&
	b=$(git -C "work/trees/$k" rev-parse "$B/$k^{tree}")
	git -C "work/trees/$k" worktree remove --force "$wt"
	[ -n "$a" ] && [ "$a" = "$b" ]
}
check "debian-6.12: git am of backport.mbox onto the base gives the branch's tree" git_am_rebuilds debian-6.12
check "debian-6.1: the same" git_am_rebuilds debian-6.1

quilt_rebuilds() {
	k=$1
	pkg=linux-source-${k#debian-}
	mkdir -p "$T/q-$k" && tar -xJf "/usr/src/$pkg.tar.xz" -C "$T/q-$k" || return 1
	(cd "$T/q-$k/$pkg" && QUILT_PATCHES="$SERIES/$k/patches" quilt push -a -q >/dev/null) || return 1
	for f in $(git -C "work/trees/$k" diff --name-only "refs/kbackport/base" "$B/$k"); do
		git -C "work/trees/$k" show "$B/$k:$f" | cmp -s - "$T/q-$k/$pkg/$f" || { echo "$f differs"; return 1; }
	done
	# and nothing else changed: quilt's own record of touched files
	(cd "$T/q-$k/$pkg" && quilt files -a 2>/dev/null | sort -u) >"$T/qfiles"
	git -C "work/trees/$k" diff --name-only refs/kbackport/base "$B/$k" | sort -u | diff - "$T/qfiles"
	rm -rf "$T/q-$k"
}
check "debian-6.12: quilt push -a onto the unpacked source gives the branch's files" quilt_rebuilds debian-6.12
check "debian-6.1: the same" quilt_rebuilds debian-6.1

dep3_headers() {
	for p in "$SERIES"/debian-6.12/patches/0*.patch; do
		grep -q '^Origin: \(upstream\|backport\), https://' "$p" &&
		grep -q '^Forwarded: not-needed$' "$p" &&
		grep -q '^Last-Update: 20[0-9-]*$' "$p" || { echo "bad DEP-3 header in $p"; return 1; }
	done
	grep -q '^Origin: upstream, https://git.kernel.org/linus/012924f0eeef' "$SERIES"/debian-6.12/patches/0002-*.patch
}
check "quilt patches carry DEP-3 headers (Origin, Forwarded, Last-Update)" dep3_headers

branch_name() {
	"$KB" export debian-6.12 --format branch | grep -q "^$B/debian-6.12 [0-9a-f]\{40\}$"
}
check "export --format branch names the branch and its tip" branch_name

done_testing
