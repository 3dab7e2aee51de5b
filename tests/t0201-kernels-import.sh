#!/bin/sh
# kbackport kernels import: the real Debian tarballs into $KBACKPORT_WORK/trees/ (kept across runs, so
# a second run checks the no-op), small made-up sources, and failures that leave nothing.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR KBACKPORT_SRC_DIR
FILES="Makefile fs/ext4/file.c fs/ext4/inode.c scripts/checkpatch.pl Documentation/Changes"
IMPORTED='imported [0-9]+ files at [0-9a-f]{12} in [0-9.]+ s'
ALREADY='already imported at [0-9a-f]{12}'
GIT="git -c user.name=t -c user.email=t@example.org -c init.defaultBranch=main"

# import NAME: $KBACKPORT_WORK/trees/NAME gets imported (or moved to the installed revision),
# or was before; the output says which, and names the revision.
import() {
	"$KB" kernels import "$1" >"$T/import-$1.out" || return 1
	cat "$T/import-$1.out"
	rev="linux-source-${1#debian-} $(dpkg-query -W -f='${Version}' "linux-source-${1#debian-}")"
	grep -Eq "^$1: ($IMPORTED|$ALREADY) \($KBACKPORT_WORK/trees/$1\), revision $rev$" "$T/import-$1.out" ||
	grep -q "^$1: moved from .* to revision $rev at " "$T/import-$1.out"
}

status_clean() {
	out=$(git -C "$KBACKPORT_WORK/trees/$1" status --porcelain) && [ -z "$out" ]
}

refs_set() {
	d=$KBACKPORT_WORK/trees/$1
	base=$(git -C "$d" rev-parse --verify refs/kbackport/base) &&
	[ "$(git -C "$d" rev-parse HEAD)" = "$base" ] &&
	[ "$(git -C "$d" symbolic-ref HEAD)" = refs/heads/base ]
}

# The commit depends on the tarball only: fixed author, its mtime, its package version.
commit_from_tarball() {
	tar=/usr/src/linux-source-$2.tar.xz
	mtime=$(stat -c %Y "$tar")
	ver=$(dpkg-query -W -f='${Version}' "linux-source-$2")
	got=$(git -C "$KBACKPORT_WORK/trees/$1" log -1 --format='%an <%ae>|%cn <%ce>|%at|%ct|%s' refs/kbackport/base)
	want="kbackport import <kbackport@localhost>|kbackport import <kbackport@localhost>|$mtime|$mtime|Import linux-source-$2 $ver"
	echo "got:  $got"
	echo "want: $want"
	[ "$got" = "$want" ]
}

# Some files, a symlink and an executable, against tar's own extraction.
files_match_tarball() {
	x=$T/x-$2
	mkdir -p "$x"
	members=
	for f in $FILES; do
		members="$members linux-source-$2/$f"
	done
	# shellcheck disable=SC2086 # one word per member
	tar -xJf "/usr/src/linux-source-$2.tar.xz" -C "$x" $members || return 1
	for f in $FILES; do
		a=$KBACKPORT_WORK/trees/$1/$f
		b=$x/linux-source-$2/$f
		if [ -L "$b" ]; then
			[ -L "$a" ] && [ "$(readlink "$a")" = "$(readlink "$b")" ] ||
				{ echo "symlink $f differs"; return 1; }
		else
			cmp "$a" "$b" || return 1
		fi
		if [ ! -L "$b" ] && [ -x "$b" ] && [ ! -x "$a" ]; then
			echo "$f lost its executable bit"
			return 1
		fi
	done
	[ -L "$KBACKPORT_WORK/trees/$1/Documentation/Changes" ] && [ -x "$KBACKPORT_WORK/trees/$1/scripts/checkpatch.pl" ] &&
	[ "$(git -C "$KBACKPORT_WORK/trees/$1" ls-files -s scripts/checkpatch.pl | cut -c1-6)" = 100755 ] &&
	[ "$(git -C "$KBACKPORT_WORK/trees/$1" ls-files -s Documentation/Changes | cut -c1-6)" = 120000 ]
}

# Slow (a full unpack and git add): done for one tree only.
tree_matches_tarball() {
	u=$T/unpacked
	mkdir -p "$u"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$u" --strip-components=1 &&
	git -C "$u" init -q && git -C "$u" -c core.autocrlf=false add -A -f &&
	want=$(git -C "$u" write-tree) &&
	got=$(git -C $KBACKPORT_WORK/trees/debian-6.12 rev-parse 'refs/kbackport/base^{tree}') || return 1
	rm -rf "$u"
	echo "tarball: $want imported: $got"
	[ "$want" = "$got" ]
}

second_import_noop() {
	base=$(git -C "$KBACKPORT_WORK/trees/$1" rev-parse --short=12 refs/kbackport/base) &&
	"$KB" kernels import "$1" >"$T/again" || return 1
	cat "$T/again"
	[ "$(cat "$T/again")" = "$1: already imported at $base ($KBACKPORT_WORK/trees/$1), revision $(git -C "$KBACKPORT_WORK/trees/$1" log -1 --format=%s refs/kbackport/base | sed 's/^Import //')" ]
}

listed_with_version() {
	v=$(awk '$2 == "=" && $1 ~ /^(VERSION|PATCHLEVEL|SUBLEVEL)$/ { printf "%s%s", s, $3; s = "." }' \
		"$KBACKPORT_WORK/trees/$1/Makefile")
	"$KB" kernels >"$T/list" || return 1
	grep "^$1 " "$T/list"
	rev=$(dpkg-query -W -f='${Version}' "linux-source-${1#debian-}")
	grep -Eq "^$1 +linux-source-[0-9.]+ +source: present  imported: yes  version: $v  revision: $rev$" "$T/list"
}

# only_error FILE PATTERN: besides progress lines, stderr is one error line with PATTERN.
only_error() {
	cat "$1"
	grep -v '^importing: [0-9]* files$' "$1" >"$1.rest"
	[ "$(wc -l <"$1.rest")" = 1 ] && grep -q "^error: .*$2" "$1.rest"
}

# in_tmp CMD...: runs with temporary work, source and kernels directories.
in_tmp() {
	KBACKPORT_WORK=$T/tmpwork KBACKPORT_SRC_DIR=$T/src KBACKPORT_KERNELS_DIR=$T/kernels "$@"
}

corrupt_tarball() {
	mkdir -p "$T/src" "$T/kernels"
	cp kernels/debian-6.12.yaml "$T/kernels/"
	head -c 5000000 /usr/src/linux-source-6.12.tar.xz >"$T/src/linux-source-6.12.tar.xz"
	in_tmp expect_exit 4 "$KB" kernels import debian-6.12 2>"$T/err" &&
	only_error "$T/err" "'$T/src/linux-source-6.12.tar.xz'" &&
	[ ! -e "$T/tmpwork/trees/debian-6.12" ] && [ ! -e "$T/tmpwork/trees/.debian-6.12.tmp" ]
}

missing_tarball() {
	cp kernels/debian-6.1.yaml "$T/kernels/"
	in_tmp expect_exit 3 "$KB" kernels import debian-6.1 2>"$T/err" &&
	only_error "$T/err" "cannot open '$T/src/linux-source-6.1.tar.xz': No such file or directory" &&
	[ ! -e "$T/tmpwork/trees/debian-6.1" ] && [ ! -e "$T/tmpwork/trees/.debian-6.1.tmp" ]
}

# write_kernel NAME SOURCE: a description in $T/kernels.
write_kernel() {
	printf 'name: %s\nsource: %s\narch: x86_64\nconfig: {base: tinyconfig}\n' "$1" "$2" \
		>"$T/kernels/$1.yaml"
}

# A small tarball: modes, a symlink, a file its own .gitignore ignores; same commit twice.
small_tarball() {
	s=$T/small/linux-source-mini
	mkdir -p "$s/scripts" "$s/fs"
	printf 'VERSION = 1\nPATCHLEVEL = 2\nSUBLEVEL = 3\nEXTRAVERSION = -test\n' >"$s/Makefile"
	printf '#!/bin/sh\necho hi\n' >"$s/scripts/run.sh"
	chmod 755 "$s/scripts/run.sh"
	echo data >"$s/fs/a.c"
	ln -s a.c "$s/fs/b.c"
	echo '*.o' >"$s/.gitignore"
	echo obj >"$s/fs/a.o"
	tar -C "$T/small" -cJf "$T/src/linux-source-mini.tar.xz" linux-source-mini || return 1
	write_kernel mini '{debian-package: linux-source-mini}'
	in_tmp "$KB" kernels import mini || return 1
	KBACKPORT_WORK=$T/tmpwork2 KBACKPORT_SRC_DIR=$T/src KBACKPORT_KERNELS_DIR=$T/kernels \
		"$KB" kernels import mini || return 1
	d=$T/tmpwork/trees/mini
	one=$(git -C "$d" rev-parse refs/kbackport/base) &&
	two=$(git -C "$T/tmpwork2/trees/mini" rev-parse refs/kbackport/base) || return 1
	git -C "$d" ls-files -s
	[ "$one" = "$two" ] && [ -z "$(git -C "$d" status --porcelain --ignored)" ] &&
	[ "$(git -C "$d" ls-files -s fs/a.o fs/b.c scripts/run.sh | cut -c1-6 | tr '\n' ' ')" = "100644 120000 100755 " ] &&
	[ "$(readlink "$d/fs/b.c")" = a.c ] &&
	sha=$(git hash-object "$T/src/linux-source-mini.tar.xz" | cut -c1-16)
	git -C "$d" log -1 --format=%B | grep -qx "Unmodified source from linux-source-mini.tar.xz." &&
	git -C "$d" log -1 --format=%s | grep -qx "Import linux-source-mini sha1-$sha" &&
	in_tmp "$KB" kernels | grep -q "^mini .* imported: yes  version: 1.2.3-test  revision: sha1-$sha$"
}

# A symlink in the tarball must not let a later entry write outside the tree.
symlink_escape() {
	mkdir -p "$T/outside"
	python3 - "$T/src/linux-source-evil.tar.xz" "$T/outside" <<-'EOF' || return 1
	import io, sys, tarfile
	with tarfile.open(sys.argv[1], "w:xz") as t:
	    link = tarfile.TarInfo("linux-source-evil/out")
	    link.type, link.linkname = tarfile.SYMTYPE, sys.argv[2]
	    t.addfile(link)
	    f = tarfile.TarInfo("linux-source-evil/out/pwned")
	    f.size = 3
	    t.addfile(f, io.BytesIO(b"hi\n"))
	EOF
	write_kernel evil '{debian-package: linux-source-evil}'
	in_tmp expect_exit 4 "$KB" kernels import evil 2>"$T/err" &&
	only_error "$T/err" "linux-source-evil.tar.xz" &&
	[ ! -e "$T/outside/pwned" ] && [ ! -e "$T/tmpwork/trees/evil" ] && [ ! -e "$T/tmpwork/trees/.evil.tmp" ]
}

# A git source: the tagged commit becomes the base, checked out.
git_source() {
	g=$T/gsrc
	$GIT init -q "$g" && mkdir -p "$g/fs" &&
	printf 'VERSION = 6\nPATCHLEVEL = 6\nSUBLEVEL = 60\nEXTRAVERSION =\n' >"$g/Makefile" &&
	echo one >"$g/fs/a.c" && $GIT -C "$g" add -A && $GIT -C "$g" commit -qm one &&
	$GIT -C "$g" tag v6.6.60 && echo two >"$g/fs/a.c" && $GIT -C "$g" commit -qam two || return 1
	write_kernel up "{git: {path: $g, ref: v6.6.60}}"
	in_tmp "$KB" kernels import up >"$T/out" || return 1
	cat "$T/out"
	d=$T/tmpwork/trees/up
	tag=$(git -C "$g" rev-parse 'v6.6.60^{commit}')
	grep -Eq "^up: imported [0-9]+ files at [0-9a-f]{12} in [0-9.]+ s \($d\), revision $g@v6.6.60 $tag$" "$T/out" &&
	[ "$(git -C "$d" rev-parse refs/kbackport/base)" = "$(git -C "$g" rev-parse 'v6.6.60^{commit}')" ] &&
	[ "$(git -C "$d" symbolic-ref HEAD)" = refs/heads/base ] &&
	[ "$(cat "$d/fs/a.c")" = one ] && [ -z "$(git -C "$d" status --porcelain)" ] &&
	in_tmp "$KB" kernels | grep -q "^up .*source: present  imported: yes  version: 6.6.60  revision: $tag$" &&
	in_tmp "$KB" kernels import up | grep -q "^up: already imported at "
}

# A new tarball (another revision): the tree moves, only changed files are
# written, the old base stays under refs/kbackport/revisions/, and a tree
# with changes is refused before anything moves.
tarball_moves() {
	s=$T/small/linux-source-mini
	d=$T/tmpwork/trees/mini
	old=$(git -C "$d" rev-parse refs/kbackport/base)
	oldrev=$(git -C "$d" log -1 --format=%s refs/kbackport/base | sed 's/.* //')
	echo changed >"$s/fs/a.c" && echo new >"$s/fs/new.c" &&
	tar -C "$T/small" -cJf "$T/src/linux-source-mini.tar.xz" linux-source-mini || return 1
	newrev=sha1-$(git hash-object "$T/src/linux-source-mini.tar.xz" | cut -c1-16)
	in_tmp "$KB" kernels | grep -q "^mini .*  revision: $oldrev  (source is at $newrev: run 'kbackport refresh mini')$" &&
	echo mine >>"$d/scripts/run.sh" &&
	in_tmp expect_exit 1 "$KB" kernels import mini 2>"$T/err" &&
	only_error "$T/err" "cannot move tree 'mini' to a new revision: 'scripts/run.sh'" &&
	[ "$(git -C "$d" rev-parse refs/kbackport/base)" = "$old" ] &&
	git -C "$d" checkout -q scripts/run.sh &&
	touch -d '2001-01-01' "$d/Makefile" &&
	in_tmp "$KB" kernels import mini >"$T/out" || return 1
	cat "$T/out"
	grep -q "^mini: moved from linux-source-mini $oldrev to revision linux-source-mini $newrev at " "$T/out" &&
	[ "$(cat "$d/fs/a.c")" = changed ] && [ "$(cat "$d/fs/new.c")" = new ] &&
	[ -z "$(git -C "$d" status --porcelain)" ] &&
	[ "$(stat -c %Y "$d/Makefile")" = "$(date -d 2001-01-01 +%s)" ] &&
	[ "$(git -C "$d" rev-parse "refs/kbackport/revisions/$oldrev")" = "$old" ] &&
	[ "$(git -C "$d" rev-parse "refs/kbackport/revisions/$newrev")" = "$(git -C "$d" rev-parse HEAD)" ] &&
	in_tmp "$KB" kernels import mini | grep -q "^mini: already imported at "
}

# A git ref that moved: the tree is imported again at its new commit.
git_ref_moves() {
	g=$T/gsrc
	d=$T/tmpwork/trees/up
	$GIT -C "$g" tag -f v6.6.60 HEAD >/dev/null || return 1
	new=$(git -C "$g" rev-parse HEAD)
	in_tmp "$KB" kernels import up >"$T/out" || return 1
	cat "$T/out"
	grep -q "^up: moved from $g@v6.6.60 [0-9a-f]* to revision $g@v6.6.60 $new at " "$T/out" &&
	[ "$(git -C "$d" rev-parse refs/kbackport/base)" = "$new" ] && [ "$(cat "$d/fs/a.c")" = two ] &&
	[ ! -e "$T/tmpwork/trees/.up.tmp" ] && [ ! -e "$T/tmpwork/trees/.up.tmp.old" ]
}

bad_git_ref() {
	write_kernel upbad "{git: {path: $T/gsrc, ref: v9.9}}"
	in_tmp expect_exit 4 "$KB" kernels import upbad 2>"$T/err" &&
	only_error "$T/err" "unknown ref 'v9.9' in '$T/gsrc'" && [ ! -e "$T/tmpwork/trees/upbad" ]
}

for v in 6.12 6.1; do
	k=debian-$v
	check "import $k" import "$k"
	sed 's/^/# /' "$T/import-$k.out"
	check "$k: git status is clean" status_clean "$k"
	check "$k: refs/kbackport/base = HEAD = refs/heads/base" refs_set "$k"
	check "$k: commit author, date and message come from the tarball" commit_from_tarball "$k" "$v"
	check "$k: files, symlink, executable as in the tarball" files_match_tarball "$k" "$v"
	check "$k: second import is a no-op" second_import_noop "$k"
	check "$k: listed as imported with its Makefile version" listed_with_version "$k"
	check "$k: no automatic gc of the imported loose objects" \
		test "$(git -C "$KBACKPORT_WORK/trees/$k" config gc.auto)" = 0
done
check "debian-6.12: the commit's tree is the tarball's tree" tree_matches_tarball
check "corrupt tarball: one error naming it, exit 4, nothing left" corrupt_tarball
check "missing tarball: exit 3, nothing left" missing_tarball
check "small tarball: modes, symlink, ignored file; same commit twice" small_tarball
check "symlink in the tarball cannot lead outside the tree" symlink_escape
check "a new tarball revision: tree moves, old base kept, a changed tree refused" tarball_moves
check "git source: tag imported and checked out" git_source
check "git source: a moved tag imports its new commit" git_ref_moves
check "git source with an unknown ref: exit 4" bad_git_ref
done_testing
