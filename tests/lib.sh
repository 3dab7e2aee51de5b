# Sourced by tests/tNNNN-*.sh: one script a module, each check counted.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KB="$ROOT/kbackport"
SEEDS="$ROOT/../shared/seeds"
SERIES="$ROOT/backports/ext4-dio-shared-lock"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$ROOT"
# Every script has a store of its own; what is costly to make (imported
# trees, built kernels) comes from the suite's fixture (tests/fixture.sh).
export KBACKPORT_WORK="$T/work"
export KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
FIX="$ROOT/work/test-fixture"
SNAME=$(basename "$SERIES")

# use_tree KERNEL: the fixture's imported tree, as a shared clone in this store.
use_tree() {
	d=$KBACKPORT_WORK/trees/$1
	[ -d "$d" ] && return 0
	sh "$ROOT/tests/fixture.sh" tree "$1" || return 1
	mkdir -p "$KBACKPORT_WORK/trees" &&
	git clone -q --shared --no-checkout "$FIX/trees/$1" "$d" &&
	git -C "$d" fetch -q origin 'refs/kbackport/*:refs/kbackport/*' &&
	git -C "$d" config gc.auto 0 &&
	git -C "$d" checkout -q -B base refs/kbackport/base
}

# use_built KERNEL VARIANT: the fixture's build of the variant (its image
# stays in the fixture), and its tree, in this store.
use_built() {
	sh "$ROOT/tests/fixture.sh" built "$1" "$2" && use_tree "$1" &&
	mkdir -p "$KBACKPORT_WORK/results/$SNAME/$1/$2" &&
	cp "$FIX/results/$SNAME/$1/$2/build.json" "$KBACKPORT_WORK/results/$SNAME/$1/$2/"
}
passed=0
failed=0
skipped=0

# check DESCRIPTION COMMAND...: the command's exit status is the verdict.
check() {
	desc=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $desc"
	else
		failed=$((failed + 1))
		echo "not ok - $desc"
		tail -n 25 "$T/check.out" | sed 's/^/    /'
	fi
}

# expect_exit CODE COMMAND...: the command must exit with exactly CODE.
expect_exit() {
	want=$1
	shift
	"$@"
	got=$?
	[ "$got" = "$want" ] || { echo "exit status $got, expected $want"; return 1; }
}

# one_error FILE PATTERN...: stderr holds exactly one line, an error matching every pattern.
one_error() {
	f=$1
	shift
	cat "$f"
	[ "$(wc -l <"$f")" = 1 ] && grep -q '^error: ' "$f" || return 1
	for p; do
		grep -qF -- "$p" "$f" || return 1
	done
}

# skip DESCRIPTION REASON: a check that cannot run here (a prerequisite is
# missing, or the committed results are for another revision); counted apart,
# never as passed.
skip() {
	skipped=$((skipped + 1))
	echo "skip - $1: $2"
}

done_testing() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}
