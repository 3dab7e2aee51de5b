#!/bin/sh
# The vendor tree moves: kbackport refresh on two revisions of Debian's
# linux-source-6.1 fetched with a private apt (whatever revisions Debian
# offers today: the newest and the one before), and on made-up revisions of
# a small tree for the moved and conflict cases. Nothing here depends on the
# revision installed in /usr/src, and the system's apt state never changes.
. "$(dirname "$0")/lib.sh"
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
export KBACKPORT_WORK=$T/work KBACKPORT_KERNELS_DIR=$T/kernels
unset KBACKPORT_SRC_DIR
GIT="git -c user.name=t -c user.email=t@example.org -c init.defaultBranch=main"
mkdir -p "$T/kernels" && cp -r kernels/config "$T/kernels/"
cp -r "$SERIES" "$T/series"
S=$T/series

# pin VERSION: debian-6.1 pinned to VERSION of linux-source-6.1.
pin() {
	sed "s/^  debian-package: linux-source-6.1 .*/  debian-package: linux-source-6.1\n  version: $1/" \
		kernels/debian-6.1.yaml >"$T/kernels/debian-6.1.yaml"
}

# The system's apt configuration and state: what a private fetch must not touch.
apt_state() {
	find /etc/apt /var/lib/apt/lists /var/cache/apt/archives -maxdepth 2 -printf '%p %s %T@\n' 2>/dev/null |
		grep -v '/lock ' | sort
	md5sum /var/lib/dpkg/status
}
apt_state >"$T/apt.before"

pin 0
"$KB" kernels versions debian-6.1 >"$T/versions" 2>"$T/versions.err"
NEW=$(sed -n '1s/.* //p' "$T/versions")
OLD=$(sed -n '2s/.* //p' "$T/versions")

versions_listed() {
	cat "$T/versions" "$T/versions.err"
	[ -n "$NEW" ] && [ -n "$OLD" ] && grep -q "^linux-source-6.1 $NEW$" "$T/versions"
}
check "kernels versions: Debian's archive offers two revisions of linux-source-6.1 (newest $NEW, then $OLD)" versions_listed

exports_name() {
	[ "$(sed -n 's/^X-Kbackport-Source: //p' "$S/debian-6.1/backport.mbox" | sort -u)" = "linux-source-6.1 $1" ] &&
	[ "$(head -n 1 "$S/debian-6.1/patches/series")" = "# source: linux-source-6.1 $1" ]
}

old_refreshed() {
	pin "$OLD"
	"$KB" refresh debian-6.1 --series "$S" >"$T/r1" || { cat "$T/r1"; return 1; }
	cat "$T/r1"
	grep -qx "tree: linux-source-6.1 $OLD" "$T/r1" &&
	grep -q "^exports: .* made on linux-source-6.1 $OLD$" "$T/r1" && exports_name "$OLD" &&
	[ "$(git -C "$T/work/trees/debian-6.1" log -1 --format=%s refs/kbackport/base)" = "Import linux-source-6.1 $OLD" ]
}
check "refresh with source.version $OLD: fetched, imported, ported, exports name it" old_refreshed

nothing_stale() {
	"$KB" port debian-6.1 --series "$S" >"$T/p1" &&
	! grep -q stale "$T/p1" &&
	"$KB" report >"$T/rep1" && cat "$T/rep1" &&
	grep -q "^debian-6.1  $OLD  " "$T/rep1" && ! grep -q stale "$T/rep1"
}
check "same revision: port and report say nothing is stale" nothing_stale

stale_seen() {
	pin "$NEW"
	"$KB" kernels >"$T/list" && cat "$T/list" &&
	grep -q "revision: $OLD  (source is at $NEW: run 'kbackport refresh debian-6.1')$" "$T/list" &&
	"$KB" port debian-6.1 --series "$S" >"$T/p2" && tail -n 2 "$T/p2" &&
	grep -qx "debian-6.1: stale: tree is $OLD, its source is at $NEW now: run 'kbackport refresh debian-6.1'" "$T/p2" &&
	"$KB" report >"$T/rep2" && cat "$T/rep2" &&
	grep -q "^debian-6.1  $OLD (stale)  " "$T/rep2" &&
	grep -qx "debian-6.1: stale: tree is $OLD, its source is at $NEW now: run 'kbackport refresh debian-6.1'" "$T/rep2"
}
check "pinned to $NEW: kernels, port and report say stale and what to run" stale_seen

moved_by_import() {
	"$KB" kernels import debian-6.1 >"$T/imp" && cat "$T/imp" &&
	grep -q "^debian-6.1: moved from linux-source-6.1 $OLD to revision linux-source-6.1 $NEW at " "$T/imp" &&
	"$KB" report >"$T/rep3" && cat "$T/rep3" &&
	grep -q "^debian-6.1  $NEW (stale)  " "$T/rep3" &&
	grep -qx "debian-6.1: stale: the port made on $OLD, tree is $NEW: run 'kbackport refresh debian-6.1'" "$T/rep3" &&
	grep -qx "debian-6.1: stale: the exports in $S/debian-6.1 made on $OLD, tree is $NEW: run 'kbackport refresh debian-6.1'" "$T/rep3"
}
check "kernels import moves the tree to $NEW; the report names the stale port and exports" moved_by_import

new_refreshed() {
	"$KB" refresh debian-6.1 --series "$S" >"$T/r2" || { cat "$T/r2"; return 1; }
	cat "$T/r2"
	grep -qx "tree: linux-source-6.1 $NEW" "$T/r2" &&
	grep -qx "committed export: made on linux-source-6.1 $OLD" "$T/r2" &&
	grep -Eq '^[0-9]+ patches: [0-9]+ same, [0-9]+ moved, [0-9]+ context changed, 0 changed, 0 new, 0 dropped$' "$T/r2" &&
	exports_name "$NEW" && [ -f "$T/work/ports/series/debian-6.1/refresh.txt" ] &&
	"$KB" report >"$T/rep4" && cat "$T/rep4" &&
	grep -q "^debian-6.1  $NEW  " "$T/rep4" && ! grep -q stale "$T/rep4" &&
	"$KB" export debian-6.1 --series "$S" --format mbox -o "$T/again" >/dev/null &&
	cmp "$T/again/backport.mbox" "$S/debian-6.1/backport.mbox"
}
check "refresh to $NEW: the series carried over, compared hunk by hunk, exports rewritten, nothing stale" new_refreshed

gone_version() {
	pin 6.1.1-1
	expect_exit 3 "$KB" kernels import debian-6.1 2>"$T/err" &&
	one_error "$T/err" "linux-source-6.1 6.1.1-1 is not in Debian's archive" "$NEW" &&
	[ "$(git -C "$T/work/trees/debian-6.1" log -1 --format=%s refs/kbackport/base)" = "Import linux-source-6.1 $NEW" ]
}
check "a pinned revision Debian no longer offers: exit 3, one line listing what it offers, tree unchanged" gone_version

# suite SUITE: debian-6.1 fetched from SUITE (the pin dropped).
suite() {
	sed "s/^  debian-package: linux-source-6.1 .*/  debian-package: linux-source-6.1\n  suite: $1/" \
		kernels/debian-6.1.yaml >"$T/kernels/debian-6.1.yaml"
}

# refused CODE MESSAGE: kernels versions and import each refuse with one line and CODE; tree unchanged.
refused() {
	expect_exit "$1" "$KB" kernels versions debian-6.1 >"$T/out" 2>"$T/err" && [ ! -s "$T/out" ] &&
	one_error "$T/err" "$2" &&
	expect_exit "$1" "$KB" kernels import debian-6.1 2>"$T/err" && one_error "$T/err" "$2" &&
	[ "$(git -C "$T/work/trees/debian-6.1" log -1 --format=%s refs/kbackport/base)" = "Import linux-source-6.1 $NEW" ]
}

no_such_suite() {
	suite bookworm-nosuch
	refused 4 "suite 'bookworm-nosuch' is not in Debian's archive"
}
check "a suite Debian does not have: exit 4, one line naming it, tree unchanged" no_such_suite

# Debian 13's security suite carries its own kernel (6.12), never 6.1
not_in_suite() {
	suite trixie-security
	refused 3 "package 'linux-source-6.1' is not in Debian's archive (trixie-security): no version of it there"
}
check "a suite without the package: versions and import say so, exit 3, tree unchanged" not_in_suite

apt_untouched() {
	apt_state >"$T/apt.after"
	diff "$T/apt.before" "$T/apt.after"
}
check "the system's apt sources, lists, archives and dpkg status are unchanged" apt_untouched

# ---- made-up revisions of a small tree: moved hunks, a new conflict ----------

# revision TEXT: linux-source-mini.tar.xz with fs/a.c = TEXT.
revision() {
	m=$T/mini/linux-source-mini
	mkdir -p "$m/fs" "$T/src"
	printf 'VERSION = 1\nPATCHLEVEL = 0\nSUBLEVEL = 0\nEXTRAVERSION =\n' >"$m/Makefile"
	printf '%b' "$1" >"$m/fs/a.c"
	tar -C "$T/mini" -cJf "$T/src/linux-source-mini.tar.xz" linux-source-mini
}

A='int a(void)\n{\n\treturn 1;\n}\n\nint b(void)\n{\n\tint x = 1;\n\tint v = 0;\n\tint y = 2;\n\tint z = 3;\n\tint w = 4;\n\n\treturn x + y + z + v + w;\n}\n'
# The series: one patch made by git format-patch on revision A.
mini_series() {
	g=$T/mini-git
	$GIT init -q "$g" && mkdir -p "$g/fs" && printf '%b' "$A" >"$g/fs/a.c" &&
	$GIT -C "$g" add -A && $GIT -C "$g" commit -qm base &&
	sed -i 's/int y = 2;/int y = 5;/' "$g/fs/a.c" &&
	$GIT -C "$g" commit -qam 'fs: y is 5 in b' -m 'b must count 5 for y.' -m 'Signed-off-by: t <t@example.org>' &&
	$GIT -C "$g" format-patch -q -1 --stdout >"$T/mini.mbox" || return 1
	printf 'name: mini\nsource: {debian-package: linux-source-mini}\narch: x86_64\nconfig: {base: tinyconfig}\n' \
		>"$T/kernels/mini.yaml"
	revision "$A" &&
	"$KB" series import "$T/mini.mbox" -o "$T/ms" >/dev/null &&
	KBACKPORT_SRC_DIR=$T/src "$KB" refresh mini --series "$T/ms" >"$T/m1" || { cat "$T/m1"; return 1; }
	cat "$T/m1"
	grep -qx "no committed export to compare with" "$T/m1" && [ -f "$T/ms/mini/backport.mbox" ]
}
check "small tree: a one-patch series refreshed for the first time" mini_series

mini_moved() {
	revision "/* new */\n/* lines */\n$A" &&
	KBACKPORT_SRC_DIR=$T/src "$KB" refresh mini --series "$T/ms" >"$T/m2" || { cat "$T/m2"; return 1; }
	cat "$T/m2"
	grep -qx "1 patch: 0 same, 1 moved, 0 context changed, 0 changed, 0 new, 0 dropped" "$T/m2" &&
	grep -qx "      fs/a.c hunk 1: moved +2 lines (now at 9)" "$T/m2"
}
check "small tree: two lines added above the hunk: reported moved +2" mini_moved

mini_context() {
	revision "$(printf '%s' "$A" | sed 's|\\tint w = 4;\\n\\n|\\tint w = 4;\\n\\t/* sum */\\n|')" &&
	KBACKPORT_SRC_DIR=$T/src "$KB" refresh mini --series "$T/ms" >"$T/m3" || { cat "$T/m3"; return 1; }
	cat "$T/m3"
	grep -qx "1 patch: 0 same, 0 moved, 1 context changed, 0 changed, 0 new, 0 dropped" "$T/m3"
}
check "small tree: the outermost context line changed: same change, other context" mini_context

mini_conflict() {
	cp "$T/ms/mini/backport.mbox" "$T/m.before" &&
	revision "$(printf '%s' "$A" | sed 's/int y = 2;/int y = 2 + 0;/')" || return 1
	KBACKPORT_SRC_DIR=$T/src expect_exit 6 "$KB" refresh mini --series "$T/ms" >"$T/m4" 2>"$T/m4.err" || {
		cat "$T/m4" "$T/m4.err"; return 1; }
	cat "$T/m4" "$T/m4.err"
	grep -q "^stopped: a new conflict, rejects in $T/work/ports/ms/mini/0001.rej; the committed export is left as it was" "$T/m4" &&
	[ -s "$T/work/ports/ms/mini/0001.rej" ] && cmp "$T/m.before" "$T/ms/mini/backport.mbox"
}
check "small tree: the patched line changed: refresh stops on the conflict (exit 6), export untouched" mini_conflict

done_testing
