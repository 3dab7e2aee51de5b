#!/bin/sh
# kbackport export: git am and quilt push -a rebuild the branch from what it
# writes; the committed mbox and quilt series are what it writes — checked
# only when they were made on the revision the tree is at (else skipped as
# stale: a new Debian revision must not fail the suite).
. "$(dirname "$0")/lib.sh"
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
B=backport/ext4-dio-shared-lock

for k in debian-6.12 debian-6.1; do
	use_tree "$k" || exit 1
	"$KB" port "$k" >/dev/null 2>&1
done

for k in debian-6.12 debian-6.1; do
	"$KB" export "$k" --format mbox -o "$T/$k" >/dev/null
	"$KB" export "$k" --format quilt -o "$T/$k" >/dev/null
done

# The revision a file of exports names (its last word), e.g. 6.1.192-3.
revision_of() {
	sed -n "s/^$1//p" "$2" | head -n 1 | sed 's/.* //'
}

names_revision() {
	k=$1
	tree=$(git -C "$KBACKPORT_WORK/trees/$k" log -1 --format=%s refs/kbackport/base | sed 's/.* //')
	[ -n "$tree" ] &&
	[ "$(revision_of 'X-Kbackport-Source: ' "$T/$k/backport.mbox")" = "$tree" ] &&
	[ "$(grep -c '^X-Kbackport-Source: ' "$T/$k/backport.mbox")" = "$(grep -c '^From [0-9a-f]\{40\} ' "$T/$k/backport.mbox")" ] &&
	[ "$(revision_of '# source: ' "$T/$k/patches/series")" = "$tree" ]
}
check "debian-6.12: every exported message and the quilt series name the tree's revision" names_revision debian-6.12
check "debian-6.1: the same" names_revision debian-6.1

regenerated() {
	k=$1
	cmp "$T/$k/backport.mbox" "$SERIES/$k/backport.mbox" &&
	diff -r "$T/$k/patches" "$SERIES/$k/patches"
}
for k in debian-6.12 debian-6.1; do
	made_on=$(revision_of 'X-Kbackport-Source: ' "$SERIES/$k/backport.mbox")
	tree=$(revision_of 'X-Kbackport-Source: ' "$T/$k/backport.mbox")
	if [ -n "$made_on" ] && [ "$made_on" = "$tree" ]; then
		check "$k: committed exports are what export writes" regenerated "$k"
	else
		skip "$k: committed exports are what export writes" \
			"stale: made on ${made_on:-an unrecorded revision}, tree is $tree (kbackport refresh $k)"
	fi
done

git_am_rebuilds() {
	k=$1
	wt="$T/am-$k"
	git -C "$KBACKPORT_WORK/trees/$k" worktree add -q --detach "$wt" refs/kbackport/base &&
	git -C "$wt" -c user.name=t -c user.email=t@t am -q "$T/$k/backport.mbox" &&
	a=$(git -C "$wt" rev-parse 'HEAD^{tree}') &&
	b=$(git -C "$KBACKPORT_WORK/trees/$k" rev-parse "$B/$k^{tree}")
	git -C "$KBACKPORT_WORK/trees/$k" worktree remove --force "$wt"
	[ -n "$a" ] && [ "$a" = "$b" ]
}
check "debian-6.12: git am of the exported mbox onto the base gives the branch's tree" git_am_rebuilds debian-6.12
check "debian-6.1: the same" git_am_rebuilds debian-6.1

quilt_rebuilds() {
	k=$1
	pkg=linux-source-${k#debian-}
	mkdir -p "$T/q-$k" && tar -xJf "/usr/src/$pkg.tar.xz" -C "$T/q-$k" || return 1
	(cd "$T/q-$k/$pkg" && QUILT_PATCHES="$T/$k/patches" quilt push -a -q >/dev/null) || return 1
	for f in $(git -C "$KBACKPORT_WORK/trees/$k" diff --name-only "refs/kbackport/base" "$B/$k"); do
		git -C "$KBACKPORT_WORK/trees/$k" show "$B/$k:$f" | cmp -s - "$T/q-$k/$pkg/$f" || { echo "$f differs"; return 1; }
	done
	# and nothing else changed: quilt's own record of touched files
	(cd "$T/q-$k/$pkg" && quilt files -a 2>/dev/null | sort -u) >"$T/qfiles"
	git -C "$KBACKPORT_WORK/trees/$k" diff --name-only refs/kbackport/base "$B/$k" | sort -u | diff - "$T/qfiles"
	rm -rf "$T/q-$k"
}
check "debian-6.12: quilt push -a onto the unpacked source gives the branch's files" quilt_rebuilds debian-6.12
check "debian-6.1: the same" quilt_rebuilds debian-6.1

# The series and its prerequisites come from upstream (Forwarded: not-needed);
# a local fix (backports/<series>/local/) is the vendor's own, not sent yet.
dep3_headers() {
	for p in "$T"/debian-6.12/patches/0*.patch; do
		if grep -q '^\[ Backporter.s fix for ' "$p"; then
			grep -q '^Origin: vendor, https://lore.kernel.org/r/' "$p" && grep -q '^Forwarded: no$' "$p"
		else
			grep -q '^Origin: \(upstream\|backport\), https://' "$p" && grep -q '^Forwarded: not-needed$' "$p"
		fi &&
		grep -q '^Last-Update: 20[0-9-]*$' "$p" || { echo "bad DEP-3 header in $p"; return 1; }
	done
	grep -q '^Origin: upstream, https://git.kernel.org/linus/012924f0eeef' "$T"/debian-6.12/patches/0002-*.patch &&
	[ "$(grep -l '^Origin: vendor' "$T"/debian-6.12/patches/0*.patch | wc -l)" = \
	  "$(ls "$SERIES"/local/*.patch "$SERIES"/local/debian-6.12/*.patch 2>/dev/null | wc -l)" ]
}
check "quilt patches carry DEP-3 headers (Origin, Forwarded, Last-Update; vendor for a local fix)" dep3_headers

branch_name() {
	"$KB" export debian-6.12 --format branch | grep -q "^$B/debian-6.12 [0-9a-f]\{40\}$"
}
check "export --format branch names the branch and its tip" branch_name

done_testing
