#!/bin/sh
# The shape of tool/: one folder per stage, dependencies one way
# (lib <- git, mail <- port, build, boot <- report <- builtin), read from
# the #include lines by tests/helpers/layers.py; and the check itself
# catches an include that reaches up or sideways.
. "$(dirname "$0")/lib.sh"

layers_hold() {
	python3 tests/helpers/layers.py tool
}
check "tool/'s includes run one way, no cycle inside a folder" layers_hold

folders() {
	for d in lib git mail port build boot report builtin; do
		[ -d tool/$d ] || { echo "no tool/$d"; return 1; }
	done
	[ "$(ls tool/*.c)" = tool/main.c ]
}
check "the stage folders exist; only main.c stands at the top" folders

# A copy of tool/ with one bad include in each direction: the check must name both.
catches() {
	cp -r tool "$T/tool" &&
	echo '#include "git/repo.h"' >>"$T/tool/lib/store.c" &&
	echo '#include "boot/qemu.h"' >>"$T/tool/build/kbuild.c" &&
	! python3 tests/helpers/layers.py "$T/tool" >"$T/out" &&
	cat "$T/out" &&
	grep -q "^lib/store.c (level 0) includes git/repo.h (level 1)" "$T/out" &&
	grep -q "^build/kbuild.c (level 2) includes boot/qemu.h (level 2)" "$T/out"
}
check "an include up a level or across to a sibling stage is caught" catches

# Nothing in tool/ or cocci/api/ knows a series: no series' name, no file of
# one (its expectation tables live in backports/<series>/expect/).
series_free() {
	for d in backports/*/; do
		n=$(basename "$d")
		! grep -rlF -- "$n" tool cocci/api || { echo "tool/ or cocci/api/ names series '$n'"; return 1; }
	done
	! find tool cocci/api -name 'nowait-*.json' | grep . || { echo "a series' table under tool/"; return 1; }
}
check "nothing in tool/ or cocci/api/ names a series or holds one's tables" series_free

done_testing
