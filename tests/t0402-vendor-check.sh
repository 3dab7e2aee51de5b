#!/bin/sh
# kbackport build --vendor-check and checkpatch: debian-6.12 patched built
# (mostly from ccache after t0400's base), checkpatch on every backported
# commit, the port's directories compiled under Debian's own config with
# W=1 and sparse for base and patched; then a throwaway "port" that adds a
# warning must have it reported as new, naming file and line.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
K=debian-6.12
TREE=$KBACKPORT_WORK/trees/$K
SCRATCH=backport/kbtest-warn/$K
trap 'git -C "$TREE" branch -D "$SCRATCH" >/dev/null 2>&1; rm -rf "$T"' EXIT
RP=$KBACKPORT_WORK/results/$SNAME/$K/patched
RB=$KBACKPORT_WORK/results/$SNAME/$K/base
use_tree $K && "$KB" port $K >/dev/null || exit 1

patched_with_checkpatch() {
	"$KB" build $K --variant patched >"$T/patched.out" 2>&1
	rc=$?
	cat "$T/patched.out"
	n=$(git -C "$TREE" rev-list --count "refs/kbackport/base..backport/ext4-dio-shared-lock/$K")
	[ $rc = 0 ] &&
	grep -Eq "^$K patched: checkpatch on $n commits: [0-9]+ errors?, [0-9]+ warnings?, [0-9]+ checks?$" "$T/patched.out" &&
	python3 - "$RP/build.json" "$n" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	cp = b["checkpatch"]
	assert len(cp) == int(sys.argv[2]), len(cp)
	for c in cp:
	    assert len(c["commit"]) == 40 and c["subject"], c
	    assert len(c["lines"]) == c["errors"] + c["warnings"] + c["checks"], c
	EOF
}

vendor_check_runs() {
	"$KB" build $K --variant patched --vendor-check >"$T/vendor.out" 2>&1
	rc=$?
	cat "$T/vendor.out"
	git -C "$TREE" diff --name-only "refs/kbackport/base" "backport/ext4-dio-shared-lock/$K" >"$T/touched"
	[ $rc = 0 ] &&
	grep -Eq "^$K patched: vendor-config check: base [0-9]+ warnings?, patched [0-9]+, [0-9]+ new " "$T/vendor.out" &&
	python3 - "$RP/vendor-check.json" "$T/touched" <<-'EOF' &&
	import json, sys
	v = json.load(open(sys.argv[1]))
	assert v["touched"] == open(sys.argv[2]).read().split(), v["touched"]
	assert v["vendor_config"].endswith("config.amd64_none_amd64.xz"), v
	assert set(v["new_warnings"]) <= set(v["patched_warnings"]), v
	EOF
	# sparse checked each touched .c file in both trees, the directory compiled with W=1.
	for r in $RB $RP; do
		for f in $(grep '\.c$' "$T/touched"); do
			grep -q "CHECK   \.\./$f$" $r/vendor-sparse.log || { echo "no sparse on $f in $r"; return 1; }
		done
	done &&
	grep -q -- -Wmissing-format-attribute $KBACKPORT_WORK/build/$SNAME/$K/vendor-patched/fs/ext4/.file.o.cmd
}

# A scratch port branch: base plus a function that gcc (W=1) and sparse both warn about.
new_warning_reported() {
	base=$(git -C "$TREE" rev-parse refs/kbackport/base)
	blob=$( (git -C "$TREE" show "$base:fs/ext4/file.c"
		printf '\nvoid kbtest_not_declared(void)\n{\n\tint kbtest_unused;\n}\n') |
		git -C "$TREE" hash-object -w --stdin) &&
	GIT_INDEX_FILE="$T/index" git -C "$TREE" read-tree "$base" &&
	GIT_INDEX_FILE="$T/index" git -C "$TREE" update-index --cacheinfo "100644,$blob,fs/ext4/file.c" &&
	tree=$(GIT_INDEX_FILE="$T/index" git -C "$TREE" write-tree) &&
	commit=$(git -C "$TREE" -c user.name=t -c user.email=t@localhost commit-tree "$tree" -p "$base" -m kbtest) &&
	git -C "$TREE" branch -f "$SCRATCH" "$commit" || return 1
	line=$(($(git -C "$TREE" show "$base:fs/ext4/file.c" | wc -l) + 2))
	mkdir -p "$T/kbtest-warn"
	"$KB" build $K --variant base --series "$T/kbtest-warn" --vendor-check >"$T/new.out" 2>&1
	rc=$?
	cat "$T/new.out"
	[ $rc = 0 ] &&
	grep -q "^    new: fs/ext4/file.c:$line:[0-9]*: warning: no previous prototype for 'kbtest_not_declared'" "$T/new.out" &&
	grep -q "^    new: fs/ext4/file.c:$((line + 2)):[0-9]*: warning: unused variable 'kbtest_unused'" "$T/new.out" &&
	grep -q "^    new: fs/ext4/file.c:$line:[0-9]*: warning: symbol 'kbtest_not_declared' was not declared" "$T/new.out" &&
	grep -Eq "^$K base: vendor-config check: .*, 3 new " "$T/new.out"
}

missing_vendor_config() {
	mkdir -p "$T/kernels"
	sed 's|vendor-config: .*|vendor-config: /usr/src/linux-config-9.9/config.amd64_none_amd64.xz|' \
		kernels/$K.yaml >"$T/kernels/$K.yaml"
	cp -r kernels/config "$T/kernels/"
	KBACKPORT_KERNELS_DIR="$T/kernels" expect_exit 3 "$KB" build $K --vendor-check >/dev/null 2>"$T/err"
	rc=$?
	cat "$T/err"
	[ $rc = 0 ] &&
	grep -qx "error: vendor config '/usr/src/linux-config-9.9/config.amd64_none_amd64.xz' is missing: install the Debian package 'linux-config-9.9'" "$T/err"
}

check "build $K patched: checkpatch on every backported commit" patched_with_checkpatch
check "a warning a port adds is reported as new, with file and line" new_warning_reported
check "vendor-config check: touched dirs with W=1, sparse on touched files, base and patched" vendor_check_runs
check "a missing vendor config names its package (exit 3)" missing_vendor_config
done_testing
