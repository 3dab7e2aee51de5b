#!/bin/sh
# The suite's fixture, shared by the test scripts and only read by them: the
# Debian trees imported and kernels built once, in work/test-fixture/ (kept
# across runs: an import or build whose inputs did not change is reused).
# Each script has its own store and takes from here what it needs through
# lib.sh's use_tree and use_built. Serialised by a lock: scripts may ask at once.
#   fixture.sh tree KERNEL
#   fixture.sh built KERNEL VARIANT
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIX=$ROOT/work/test-fixture
export KBACKPORT_WORK=$FIX KBACKPORT_SIGNOFF="kbackport <kbackport@localhost>"
unset KBACKPORT_KERNELS_DIR KBACKPORT_SRC_DIR
cd "$ROOT" || exit 1
mkdir -p "$FIX" || exit 1
exec 9>"$FIX.lock"
flock 9
log=$FIX/$1-$2${3:+-$3}.log
{
	./kbackport kernels import "$2" &&
	if [ "$1" = built ]; then
		{ [ "$3" = base ] || ./kbackport port "$2"; } &&
		./kbackport build "$2" --variant "$3"
	fi
} >"$log" 2>&1 || { echo "fixture: $* failed:"; tail -n 20 "$log"; exit 1; }
