#!/bin/sh
# Patches from a public list are untrusted input. Crafted mails, series and
# trees, each run through the ASan + UBSan build ($KBACKPORT_WORK/san/kbackport) in a
# scratch directory deep inside $T: the expected exit code and error line,
# no sanitizer report, nothing changed in $T outside the scratch directory
# (a listing before and after), and the tree clean (a conflict too: exit 6
# leaves what applied in work/ports/<series>/<kernel>/, not in the tree).
. "$(dirname "$0")/lib.sh"
SAN=$ROOT/work/san/kbackport
S=$T/a/b/c/d/scratch
export KBACKPORT_WORK=$S/work KBACKPORT_KERNELS_DIR=$S/kernels KBACKPORT_SRC_DIR=$S/src
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
# leaks at exit of a command-line tool are not what this looks for; memory errors and UB are
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
GIT="git -c user.name=t -c user.email=t@example.org -c init.defaultBranch=main"
TREE=$S/work/trees/mini
mkdir -p "$S/kernels" "$S/src" "$S/m"
cd "$S" || exit 1

[ -x "$SAN" ] || { echo "no $SAN: run make san"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# ---- the mini kernel: a tarball with a file, a symlink inside and one leading out ----
m=$S/mk/linux-source-mini
mkdir -p "$m/fs" "$m/scripts"
printf 'VERSION = 1\nPATCHLEVEL = 0\nSUBLEVEL = 0\nEXTRAVERSION =\n' >"$m/Makefile"
printf 'int a(void)\n{\n\tint x = 1;\n\tint y = 2;\n\tint z = 3;\n\n\treturn x + y + z;\n}\n' >"$m/fs/a.c"
printf 'int c(void)\n{\n\treturn 3;\n}\n' >"$m/fs/c.c"
ln -s a.c "$m/fs/b.c"
ln -s ../../../../.. "$m/fs/out"
tar -C "$S/mk" -cJf "$S/src/linux-source-mini.tar.xz" linux-source-mini
printf 'name: mini\nsource: {debian-package: linux-source-mini}\narch: x86_64\nconfig: {base: tinyconfig}\n' \
	>"$S/kernels/mini.yaml"
"$SAN" kernels import mini >"$T/import.out" 2>&1 || { cat "$T/import.out"; exit 1; }

# mail FILE SUBJECT DIFF-TEXT: one patch mail as git format-patch writes it.
mail() {
	printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: A Developer <dev@example.org>\nDate: Mon, 2 Nov 2026 10:00:00 +0000\nSubject: %s\n\nThe change.\n\nSigned-off-by: A Developer <dev@example.org>\n---\n%b' \
		"$2" "$3" >"$1"
}
# a hunk on fs/a.c that applies, and one that conflicts
GOOD='@@ -2,4 +2,4 @@ int a(void)\n {\n \tint x = 1;\n-\tint y = 2;\n+\tint y = 5;\n \tint z = 3;\n'
BAD='@@ -2,4 +2,4 @@ int a(void)\n {\n \tint x = 9;\n-\tint y = 7;\n+\tint y = 5;\n \tint z = 3;\n'
dg() { printf 'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n' "$1" "$2" "$1" "$2"; }

# The listing around the scratch directory (every escape above lands in
# $T/a), and /tmp: what a hostile input must not change.
outside() {
	find "$T/a" -path "$S" -prune -o -printf '%p %y %s %T@\n' | sort
	ls -d /tmp/kbh-pwned* 2>/dev/null
}

# tree_ok RC: clean, whatever the exit.
tree_ok() {
	st=$(git -C "$TREE" status --porcelain 2>/dev/null)
	[ -z "$st" ] && return 0
	echo "tree not clean after exit $1:"
	echo "$st"
	return 1
}

# Puts the tree back between cases: base checked out, no stopped port.
reset_tree() {
	git -C "$TREE" checkout -q -f base 2>/dev/null
	git -C "$TREE" clean -q -fd 2>/dev/null
	rm -f "$S"/work/ports/*/mini/state
}

# hostile NAME EXIT MESSAGE CMD...: the case's verdict (MESSAGE "" for a success).
hostile() {
	name=$1 want=$2 msg=$3
	shift 3
	outside >"$T/outside.before"
	"$@" >"$T/case.out" 2>"$T/case.err"
	rc=$?
	outside >"$T/outside.after"
	ok=true
	if grep -Eq 'runtime error:|ERROR: AddressSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer' "$T/case.err"; then
		echo "sanitizer report:"; head -n 20 "$T/case.err"; ok=false
	fi
	[ "$rc" = "$want" ] || { echo "exit $rc, expected $want"; ok=false; }
	if [ -n "$msg" ] && ! { [ "$(grep -c '^error: ' "$T/case.err")" = 1 ] && grep -qF -- "$msg" "$T/case.err"; }; then
		echo "expected one error line with: $msg"; ok=false
	fi
	if ! diff "$T/outside.before" "$T/outside.after" >"$T/outside.diff"; then
		echo "changed outside the scratch directory:"; cat "$T/outside.diff"; ok=false
	fi
	tree_ok "$rc" || ok=false
	$ok || { echo "stderr:"; head -n 8 "$T/case.err"; }
	$ok
}

# import_refused NAME PATH-LINES MESSAGE: a mail whose diff names PATH is refused at import.
import_refused() {
	mail "$S/m/$1.mail" "[PATCH] evil $1" "$2$GOOD"
	check "import refuses $1" hostile "$1" 4 "$3" "$SAN" series import "$S/m/$1.mail" -o "$S/series-$1"
	[ ! -e "$S/series-$1" ] || echo "warning: $S/series-$1 was written"
}

# ---- A. the path gate at import -----------------------------------------------
import_refused dotdot-new "$(dg fs/a.c ../../../../tmp/kbh-pwned)\n" "patch 1/1 names a path outside the tree: '../../../../tmp/kbh-pwned'"
import_refused dotdot-old "$(dg ../x fs/a.c)\n" "names a path outside the tree: '../x'"
import_refused dotdot-deep "$(dg fs/a.c fs/../../x)\n" "names a path outside the tree: 'fs/../../x'"
import_refused absolute "diff --git a/fs/a.c b/fs/a.c\n--- a/fs/a.c\n+++ /tmp/kbh-pwned\n" "names a path outside the tree: '/tmp/kbh-pwned' (it is absolute)"
import_refused git-config "$(dg .git/config .git/config)\n" "names a path outside the tree: '.git/config' (it names the repository's .git)"
import_refused git-upper "$(dg .GIT/hooks/pre-commit .GIT/hooks/pre-commit)\n" "'.GIT/hooks/pre-commit' (it names the repository's .git)"
import_refused git-nested "$(dg fs/.Git/config fs/.Git/config)\n" "(it names the repository's .git)"
import_refused ntfs-dot "$(dg .git./config .git./config)\n" "'.git./config' (it names the repository's .git)"
import_refused ntfs-space "$(dg '.git /config' '.git /config')\n" "(it names the repository's .git)"
import_refused ntfs-stream "$(dg '.git::$INDEX_ALLOCATION/config' '.git::$INDEX_ALLOCATION/config')\n" "(it names the repository's .git)"
import_refused ntfs-short "$(dg GIT~1/config GIT~1/config)\n" "'GIT~1/config' (it names the repository's .git)"
import_refused hfs-zwnj "$(dg "$(printf '.g\342\200\214it/config')" "$(printf '.g\342\200\214it/config')")\n" "(it names the repository's .git)"
import_refused hfs-bom "$(dg "$(printf '\357\273\277.git/config')" "$(printf '\357\273\277.git/config')")\n" "(it names the repository's .git)"
import_refused dot-component "$(dg fs/./a.c fs/./a.c)\n" "'fs/./a.c' (it has a '.' or '..' component)"
import_refused empty-component "$(dg fs//a.c fs//a.c)\n" "'fs//a.c' (it has an empty component)"
import_refused backslash "$(dg 'fs\\..\\..\\x' 'fs\\..\\..\\x')\n" "(it has a backslash)"
import_refused control-char "$(dg "$(printf 'fs/a\001.c')" "$(printf 'fs/a\001.c')")\n" "(it has a control character)"
import_refused long-component "$(dg "fs/$(printf '%0300d' 0)" "fs/$(printf '%0300d' 0)")\n" "(a component is longer than 255 bytes)"
import_refused long-path "$(dg "$(printf 'd/%.0s' $(seq 2100))x" "$(printf 'd/%.0s' $(seq 2100))x")\n" "(it is too long)"
import_refused rename-out "diff --git a/fs/a.c b/fs/x.c\nsimilarity index 90%%\nrename from fs/a.c\nrename to ../../x\n--- a/fs/a.c\n+++ b/../../x\n" "names a path outside the tree: '../../x'"
import_refused copy-git "diff --git a/fs/a.c b/fs/x.c\ncopy from fs/a.c\ncopy to .git/hooks/post-checkout\n--- a/fs/a.c\n+++ b/.git/hooks/post-checkout\n" "'.git/hooks/post-checkout' (it names the repository's .git)"
import_refused symlink-new "diff --git a/fs/l b/fs/l\nnew file mode 120000\n--- /dev/null\n+++ b/fs/l\n@@ -0,0 +1 @@\n+/etc/passwd\n\\\\ No newline at end of file\n$(dg fs/a.c fs/a.c)\n" "changes 'fs/l' as a symlink or submodule (mode 120000): not supported"
import_refused submodule "diff --git a/sub b/sub\nnew file mode 160000\n--- /dev/null\n+++ b/sub\n@@ -0,0 +1 @@\n+Subproject commit 1111111111111111111111111111111111111111\n$(dg fs/a.c fs/a.c)\n" "(mode 160000): not supported"
import_refused binary "diff --git a/fs/x.bin b/fs/x.bin\nnew file mode 100644\nGIT binary patch\nliteral 3\nKcmZ?b00001\n\nliteral 0\nHcmV?d00001\n\n$(dg fs/a.c fs/a.c)\n" "changes 'fs/x.bin' with a binary patch: not supported"
import_refused twice "$(dg fs/a.c fs/a.c)\n$GOOD$(dg fs/a.c fs/a.c)\n" "changes 'fs/a.c' twice"

# ---- B. malformed and oversized mail ------------------------------------------
mail "$S/m/neg.mail" "[PATCH -1/1] t" "$(dg fs/a.c fs/a.c)\n$GOOD"
check "[PATCH -1/1] is refused" hostile neg 4 "has a bad patch number '-1/1'" "$SAN" series import "$S/m/neg.mail"
mail "$S/m/huge.mail" "[PATCH 1/99999999] t" "$(dg fs/a.c fs/a.c)\n$GOOD"
check "[PATCH 1/99999999] is refused at once" hostile huge 4 "(a series has 1 to 1000 patches)" "$SAN" series import "$S/m/huge.mail"
mail "$S/m/over.mail" "[PATCH 5/3] t" "$(dg fs/a.c fs/a.c)\n$GOOD"
check "[PATCH 5/3] is refused" hostile over 4 "has a bad patch number '5/3'" "$SAN" series import "$S/m/over.mail"
mail "$S/m/v0.mail" "[PATCH v0] t" "$(dg fs/a.c fs/a.c)\n$GOOD"
check "[PATCH v0] is refused" hostile v0 4 "has a bad patch version 'v0' (1 to 1000)" "$SAN" series import "$S/m/v0.mail"
mail "$S/m/vhuge.mail" "[PATCH v99999999999] t" "$(dg fs/a.c fs/a.c)\n$GOOD"
check "[PATCH v99999999999] is refused" hostile vhuge 4 "has a bad patch version" "$SAN" series import "$S/m/vhuge.mail"
mail "$S/m/n1001.mail" "[PATCH 1/1001] t" "$(dg fs/a.c fs/a.c)\n$GOOD"
check "a series of 1001 patches is refused" hostile n1001 4 "number '1/1001'" "$SAN" series import "$S/m/n1001.mail"
dd if=/dev/zero bs=1M count=65 2>/dev/null | tr '\0' 'x' >"$S/m/big.mail"
check "a 65 MiB input is refused before it is parsed" hostile big 4 "is larger than 64 MiB" "$SAN" series import "$S/m/big.mail"
: >"$S/m/empty.mail"
check "an empty input: one error" hostile empty 4 "is empty" "$SAN" series import "$S/m/empty.mail"
head -c 20000 /dev/urandom >"$S/m/noise.mail"
check "random bytes: one error" hostile noise 4 "holds no mail messages" "$SAN" series import "$S/m/noise.mail"
check "a directory as input: exit 3" hostile dir 3 "cannot read" "$SAN" series import "$S/m"
check "a missing input: exit 3" hostile missing 3 "cannot open '$S/m/nope.mail'" "$SAN" series import "$S/m/nope.mail"
mail "$S/m/nodiff.mail" "[PATCH] t" "just text, no diff\n"
check "a patch mail without a diff" hostile nodiff 4 "is unusable: no diff found" "$SAN" series import "$S/m/nodiff.mail"
mail "$S/m/trunc.mail" "[PATCH] t" "$(dg fs/a.c fs/a.c)\n@@ -2,4 +2,4 @@\n {\n \tint x = 1;\n"
check "a truncated hunk" hostile trunc 4 "is unusable: diff is truncated: hunk 1 of 'fs/a.c' ends early" "$SAN" series import "$S/m/trunc.mail"
mail "$S/m/bighunk.mail" "[PATCH] t" "$(dg fs/a.c fs/a.c)\n@@ -99999999999,4 +2,4 @@\n {\n"
check "a hunk header with absurd numbers" hostile bighunk 4 "is unusable: bad hunk header" "$SAN" series import "$S/m/bighunk.mail"
mail "$S/m/gitb.mail" "[PATCH] t" "diff --git b/\n--- a/fs/a.c\n+++ b/fs/a.c\n$GOOD"
check "'diff --git b/' (the negative-length crash): the ---/+++ lines name the file" hostile gitb 0 "" \
	"$SAN" series import "$S/m/gitb.mail" -o "$S/series-gitb"
printf 'From: A <a@b.c>\nSubject: [PATCH] t\n\n x\n---\ndiff --git a/fs/a.c b/fs/a.c\n--- a/fs/a.c\n+++ b/fs/a.c\n%b' "$GOOD" >"$S/m/indent.mail"
check "a message ending in an indented paragraph (the trailer crash)" hostile indent 0 "" \
	"$SAN" series import "$S/m/indent.mail" -o "$S/series-indent"
printf 'From: A <a@b.c>\nSubject: [PATCH] t\n\nx\n\nSigned-off-by:\nCc:x\n---\ndiff --git a/fs/a.c b/fs/a.c\n--- a/fs/a.c\n+++ b/fs/a.c\n%b' "$GOOD" >"$S/m/colon.mail"
check "trailers without values" hostile colon 0 "" "$SAN" series import "$S/m/colon.mail"
printf 'From: =?UTF-8?B?7aCA?= <a@b.c>\nSubject: [PATCH] =?UTF-8?B?7aCA?= \355\240\200 t\n\nx \300\257\n---\ndiff --git a/fs/a.c b/fs/a.c\n--- a/fs/a.c\n+++ b/fs/a.c\n%b' "$GOOD" >"$S/m/surrogate.mail"
surrogate() {
	hostile surrogate 0 "" "$SAN" series import "$S/m/surrogate.mail" -o "$S/series-sur" &&
	"$SAN" series show "$S/series-sur" --json | python3 -c 'import json,sys; json.load(sys.stdin)'
}
check "lone surrogates and overlong UTF-8 in headers: series.yaml reads back" surrogate
printf 'From: A <a@b.c>\r\nSubject: [PATCH] t\r\n\r\nx\r\n---\r\ndiff --git a/fs/a.c b/fs/a.c\r\n--- a/fs/a.c\r\n+++ b/fs/a.c\r\n@@ -2,4 +2,4 @@ int a(void)\r\n {\r\n \tint x = 1;\r\n-\tint y = 2;\r\n+\tint y = 5;\r\n \tint z = 3;\r\n' >"$S/m/crlf.mail"
check "CRLF line ends" hostile crlf 0 "" "$SAN" series import "$S/m/crlf.mail"
printf 'From: A <a@b.c>\nSubject: [PATCH] t\n\nx\0y\n---\ndiff --git a/fs/a.c b/fs/a.c\n--- a/fs/a.c\n+++ b/fs/a.c\n%b' "$GOOD" >"$S/m/nul.mail"
check "a NUL byte ends the body: no diff" hostile nul 4 "is unusable: no diff found" "$SAN" series import "$S/m/nul.mail"

# re-import over a series.yaml the user broke: refused, their file untouched
reimport_broken() {
	mail "$S/m/ok.mail" "[PATCH] fs: y is 5" "$(dg fs/a.c fs/a.c)\n$GOOD"
	"$SAN" series import "$S/m/ok.mail" -o "$S/series-re" >/dev/null 2>&1 || return 1
	printf 'patches: [\n' >>"$S/series-re/series.yaml"
	cp "$S/series-re/series.yaml" "$T/broken.yaml"
	hostile reimport 4 "cannot parse '$S/series-re/series.yaml'" \
		"$SAN" series import "$S/m/ok.mail" -o "$S/series-re" &&
	cmp "$T/broken.yaml" "$S/series-re/series.yaml"
}
check "re-import over a broken series.yaml: exit 4, the user's file untouched" reimport_broken

# ---- C. the port: a series edited after import is input too ------------------
# series NAME DIFF: a one-patch series imported from a clean mail, then its
# patch file replaced by DIFF (what a hand edit or a hostile series dir holds).
series() {
	mail "$S/m/$1.mail" "[PATCH] fs: $1" "$(dg fs/a.c fs/a.c)\n$GOOD"
	"$SAN" series import "$S/m/$1.mail" -o "$S/s-$1" >/dev/null 2>&1 || return 1
	p=$(ls "$S/s-$1"/upstream/0001-*.patch)
	python3 - "$p" "$2" <<-'PY'
	import sys
	p, new = sys.argv[1], sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
	t = open(p, "rb").read()
	open(p, "wb").write(t[:t.index(b"\ndiff --git") + 1] + new)
	PY
}
port_refused() {
	reset_tree
	series "$1" "$2" || return 1
	tip=$(git -C "$TREE" rev-parse -q --verify "backport/s-$1/mini")
	hostile "$1" 4 "$3" "$SAN" port mini --series "$S/s-$1" &&
	[ "$(git -C "$TREE" rev-parse -q --verify "backport/s-$1/mini")" = "$tip" ]
}
check "port refuses a hand-edited patch that writes outside" port_refused p-dotdot \
	"$(dg fs/a.c ../../../../x)\n$BAD" "names a path outside the tree: '../../../../x'"
check "port refuses .git/config with a conflicting hunk (the fsmonitor attack)" port_refused p-gitconfig \
	"diff --git a/.git/config b/.git/config\n--- a/.git/config\n+++ b/.git/config\n@@ -1 +1,2 @@\n [core]\n+\tfsmonitor = touch /tmp/kbh-pwned\n$(dg fs/a.c fs/a.c)\n$BAD" \
	"names a path outside the tree: '.git/config'"
check "port refuses a new hook" port_refused p-hook \
	"diff --git a/.git/hooks/post-checkout b/.git/hooks/post-checkout\nnew file mode 100755\n--- /dev/null\n+++ b/.git/hooks/post-checkout\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+touch /tmp/kbh-pwned\n$(dg fs/a.c fs/a.c)\n$BAD" \
	"'.git/hooks/post-checkout'"
check "port refuses a rename to an outside path (the truncation)" port_refused p-rename \
	"diff --git a/fs/c.c b/x\nsimilarity index 100%%\nrename from fs/c.c\nrename to ../../../../outside-file\n$(dg fs/a.c fs/a.c)\n$BAD" \
	"names a path outside the tree: '../../../../outside-file'"
check "port refuses a symlink patch" port_refused p-symlink \
	"diff --git a/fs/l b/fs/l\nnew file mode 120000\n--- /dev/null\n+++ b/fs/l\n@@ -0,0 +1 @@\n+/etc/passwd\n" "(mode 120000): not supported"

# Writes through a symlink the tree holds: fs/out -> ../../../../..; the conflict writes the patch's files
through_symlink() {
	reset_tree
	series p-through "$(dg fs/out/kbh-pwned fs/out/kbh-pwned)\n@@ -0,0 +1 @@\n+pwned\n$(dg fs/a.c fs/a.c)\n$BAD" || return 1
	sed -i 's|^--- a/fs/out/kbh-pwned|--- /dev/null|' "$S"/s-p-through/upstream/0001-*.patch
	hostile p-through 4 "refused to write 'fs/out/kbh-pwned'" "$SAN" port mini --series "$S/s-p-through" &&
	[ ! -e "$S/../../../kbh-pwned" ]
}
check "a conflict cannot write through a symlink in the tree (exit 4, nothing outside)" through_symlink
# --plan: the same engine in memory; the same refusals, nothing written anywhere
plan_refused() {
	reset_tree
	git -C "$TREE" for-each-ref >"$T/refs.before"
	hostile p-plan-git 4 "names a path outside the tree: '.git/config'" "$SAN" port mini --plan --series "$S/s-p-gitconfig" &&
	hostile p-plan-through 4 "refused to write 'fs/out/kbh-pwned'" "$SAN" port mini --plan --series "$S/s-p-through" &&
	[ ! -e "$S/../../../kbh-pwned" ] || return 1
	git -C "$TREE" for-each-ref | diff "$T/refs.before" - || { echo "a plan moved a ref"; return 1; }
}
check "port --plan refuses what port refuses (.git/config, a write through a symlink); no ref moves" plan_refused
symlink_content() {
	reset_tree
	series p-linkcontent "$(dg fs/b.c fs/b.c)\n@@ -1 +1 @@\n-a.c\n\\\\ No newline at end of file\n+c.c\n\\\\ No newline at end of file\n" &&
	hostile p-linkcontent 4 "cannot change 'fs/b.c': it is a symlink or submodule in the tree" \
		"$SAN" port mini --series "$S/s-p-linkcontent"
}
check "a patch that changes a symlink's content as a file is refused" symlink_content
series_yaml_file() {
	reset_tree
	series p-yamlfile "$(dg fs/a.c fs/a.c)\n$GOOD" &&
	sed -i 's|file: upstream/0001-|file: upstream/../../../0001-|' "$S/s-p-yamlfile/series.yaml" &&
	hostile p-yamlfile 4 "file 'upstream/../../../0001-" "$SAN" port mini --series "$S/s-p-yamlfile"
}
check "series.yaml 'file:' outside the series directory is refused" series_yaml_file
series_yaml_number() {
	reset_tree
	series p-yamlnum "$(dg fs/a.c fs/a.c)\n$GOOD" &&
	sed -i 's/^- number: 1$/- number: 7/' "$S/s-p-yamlnum/series.yaml" &&
	hostile p-yamlnum 4 "patch 1 has number 7" "$SAN" port mini --series "$S/s-p-yamlnum"
}
check "series.yaml patch numbers out of order are refused" series_yaml_number
series_yaml_huge_number() {
	reset_tree
	series p-yamlbig "$(dg fs/a.c fs/a.c)\n$GOOD" &&
	sed -i 's/^- number: 1$/- number: 99999999/' "$S/s-p-yamlbig/series.yaml" &&
	hostile p-yamlbig 4 "invalid value '99999999' for 'patches[].number' (expected 1 to 1000)" "$SAN" port mini --series "$S/s-p-yamlbig"
}
check "series.yaml patch number beyond the reader's range is refused with its line" series_yaml_huge_number
fixup_outside() {
	reset_tree
	series p-fixup "$(dg fs/a.c fs/a.c)\n$GOOD" && mkdir -p "$S/s-p-fixup/mini/fixups" &&
	printf 'Resolution\n\n%b' "$(dg fs/a.c ../../x)\n$GOOD" >"$S/s-p-fixup/mini/fixups/0001-x.patch" &&
	hostile p-fixup 4 "names a path outside the tree: '../../x'" "$SAN" port mini --series "$S/s-p-fixup"
}
check "a recorded fixup that writes outside is refused" fixup_outside
prereq_outside() {
	reset_tree
	series p-prereq "$(dg fs/a.c fs/a.c)\n$GOOD" && mkdir -p "$S/s-p-prereq/prereqs" &&
	mail "$S/s-p-prereq/prereqs/0001-x.patch" "[PATCH] x" "$(dg .git/config .git/config)\n$GOOD" &&
	hostile p-prereq 4 "names a path outside the tree: '.git/config'" "$SAN" port mini --series "$S/s-p-prereq"
}
check "a prerequisite that writes into .git is refused" prereq_outside
# A series' known-defects table is read before anything is built or locked:
# not JSON, without its list, or too large, each named (exit 4).
for c in notjson nolist huge; do
	mkdir -p "$S/s-known-$c/expect"
done
printf '{"known": [\n' >"$S/s-known-notjson/expect/known-base-mini.json"
printf '{"kernel": "mini"}\n' >"$S/s-known-nolist/expect/known-base-mini.json"
head -c 70000 /dev/zero | tr '\0' ' ' >"$S/s-known-huge/expect/known-base-mini.json"
printf 'true\n' >"$S/w.sh"
check "known-defects table that is not JSON" hostile known-notjson 4 \
	"known-defects table '$S/s-known-notjson/expect/known-base-mini.json' is not JSON: " \
	"$SAN" boot mini --variant base --workload "$S/w.sh" --series "$S/s-known-notjson"
check "known-defects table without its list" hostile known-nolist 4 \
	"known-defects table '$S/s-known-nolist/expect/known-base-mini.json' has no \"known\" list" \
	"$SAN" boot mini --variant base --workload "$S/w.sh" --series "$S/s-known-nolist"
check "known-defects table beyond its size limit" hostile known-huge 4 "known-base-mini.json' is larger than 64 KiB" \
	"$SAN" boot mini --variant base --workload "$S/w.sh" --series "$S/s-known-huge"
check "a kernel name with a slash" hostile kname 4 "invalid kernel name '../mini'" "$SAN" port ../mini --series "$S/s-p-fixup"

# ---- D. what a port must get right -------------------------------------------
ported() {
	reset_tree
	series "$1" "$2" &&
	hostile "$1" 0 "" "$SAN" port mini --series "$S/s-$1"
}
blob() {
	git -C "$TREE" show "backport/s-$1/mini:$2"
}
delete_file() {
	ported p-delete "diff --git a/fs/c.c b/fs/c.c\ndeleted file mode 100644\n--- a/fs/c.c\n+++ /dev/null\n@@ -1,4 +0,0 @@\n-int c(void)\n-{\n-\treturn 3;\n-}\n" &&
	! git -C "$TREE" cat-file -e "backport/s-p-delete/mini:fs/c.c" 2>/dev/null
}
check "a patch that deletes a file (the NULL path crash): the file is gone" delete_file
rename_file() {
	ported p-rename2 "diff --git a/fs/c.c b/fs/d.c\nsimilarity index 60%%\nrename from fs/c.c\nrename to fs/d.c\n--- a/fs/c.c\n+++ b/fs/d.c\n@@ -1,4 +1,4 @@\n-int c(void)\n+int d(void)\n {\n \treturn 3;\n }\n" &&
	! git -C "$TREE" cat-file -e "backport/s-p-rename2/mini:fs/c.c" 2>/dev/null &&
	[ "$(blob p-rename2 fs/d.c | head -n 1)" = "int d(void)" ]
}
check "a rename: the old path goes, the new one has the changed content" rename_file
new_newline() {
	ported p-newnl "diff --git a/fs/n.c b/fs/n.c\nnew file mode 100644\n--- /dev/null\n+++ b/fs/n.c\n@@ -0,0 +1,2 @@\n+int n;\n+int m;\n" &&
	[ "$(blob p-newnl fs/n.c | od -c | tr -s ' ' | head -n 1)" = "0000000 i n t n ; \\n i n t m ; \\n" ]
}
check "a new file keeps its final newline (the blob is upstream's)" new_newline
new_no_newline() {
	ported p-nonl "diff --git a/fs/n.c b/fs/n.c\nnew file mode 100644\n--- /dev/null\n+++ b/fs/n.c\n@@ -0,0 +1 @@\n+int n;\n\\\\ No newline at end of file\n" &&
	[ "$(blob p-nonl fs/n.c | wc -c)" = 6 ]
}
check "a new file without a final newline stays without" new_no_newline
exec_mode() {
	ported p-exec "diff --git a/scripts/x.sh b/scripts/x.sh\nnew file mode 100755\n--- /dev/null\n+++ b/scripts/x.sh\n@@ -0,0 +1 @@\n+echo hi\n" &&
	[ "$(git -C "$TREE" ls-tree "backport/s-p-exec/mini" scripts/x.sh | cut -c1-6)" = 100755 ]
}
check "new file mode 100755 is kept" exec_mode
conflict_new_dir() {
	reset_tree
	series p-newdir "diff --git a/fs/new/dir/n.c b/fs/new/dir/n.c\nnew file mode 100644\n--- /dev/null\n+++ b/fs/new/dir/n.c\n@@ -0,0 +1 @@\n+int n;\n$(dg fs/a.c fs/a.c)\n$BAD" &&
	hostile p-newdir 6 "stopped on a conflict" "$SAN" port mini --series "$S/s-p-newdir" &&
	[ ! -e "$TREE/fs/new" ] &&
	git -C "$TREE" apply "$S"/work/ports/s-p-newdir/mini/0001.partial.diff &&
	[ "$(cat "$TREE/fs/new/dir/n.c")" = "int n;" ] &&
	sed -i 's/int y = 2;/int y = 5;/' "$TREE/fs/a.c" &&
	"$SAN" port --continue mini --series "$S/s-p-newdir" >"$T/cont.out" 2>&1 &&
	git -C "$TREE" cat-file -e "backport/s-p-newdir/mini:fs/new/dir/n.c"
}
check "a conflict on a patch that adds a file in a new directory: in the partial diff, not the tree; --continue records it" conflict_new_dir

# ---- E. one port of a tree at a time -----------------------------------------
two_ports() {
	reset_tree
	series p-lock "$(dg fs/a.c fs/a.c)\n$GOOD" || return 1
	# hold the tree's lock the way a running port does
	python3 - "$S/work/trees/mini.lock" "$T/locked" <<-'PY' &
	import fcntl, os, sys, time
	f = open(sys.argv[1], "a+"); fcntl.flock(f, fcntl.LOCK_EX)
	f.truncate(0); f.write("pid %d (kbackport port)\n" % os.getpid()); f.flush()
	open(sys.argv[2], "w").close(); time.sleep(30)
	PY
	holder=$!
	while [ ! -e "$T/locked" ]; do sleep 0.1; done
	hostile p-lock 1 "tree 'mini' is in use by pid $holder (kbackport port)" "$SAN" port mini --series "$S/s-p-lock"
	rc=$?
	kill "$holder"
	wait "$holder" 2>/dev/null
	[ $rc = 0 ] &&
	hostile p-lock2 0 "" "$SAN" port mini --series "$S/s-p-lock"
}
check "a second port of a busy tree: exit 1 naming the holder; once it is gone the port runs" two_ports
stale_lock() {
	reset_tree
	printf 'pid 999999 (kbackport port)\n' >"$S/work/trees/mini.lock"
	hostile p-stale 0 "" "$SAN" port mini --series "$S/s-p-lock"
}
check "a lock file left by a dead process is taken over" stale_lock

done_testing
