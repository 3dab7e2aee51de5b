#!/bin/sh
# Build and boot timings for the issue notes, measured in a private work
# directory and an empty ccache (so "cold" is cold), on debian-6.12:
#   cold build of base; patched after it (ccache shared across worktrees);
#   warm rebuild after a port that changes only fs/ext4/file.c (which
#   objects recompiled); base again in a second work directory with the
#   same ccache, as a fresh CI clone would; boot to the workload under TCG.
# Takes about 15 minutes on two cores. KB_BENCH_DIR keeps the data.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KB="$ROOT/kbackport"
K=debian-6.12
B=${KB_BENCH_DIR:-$(mktemp -d)}
[ -n "${KB_BENCH_DIR:-}" ] || trap 'rm -rf "$B"' EXIT
export KBACKPORT_CCACHE_DIR="$B/ccache"
rm -rf "$KBACKPORT_CCACHE_DIR"

# field JSON KEY...: one value out of a result file.
field() {
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[k]
print("-" if v is None else v)' "$@"
}

# quiet COMMAND...: its output only when it fails.
quiet() {
	"$@" >"$B/out" 2>&1 || { cat "$B/out"; exit 1; }
}

# build WORK VARIANT: builds and prints time, ccache hits and what compiled.
build() {
	KBACKPORT_WORK="$1" "$KB" build $K --variant "$2" >"$B/out" 2>&1 || { cat "$B/out"; exit 1; }
	j="$1/results/$K/$2/build.json"
	printf '  %-44s %7.1f s   %5s compile steps, ccache %s hits, %s misses\n' "$3" \
		"$(field "$j" seconds)" "$(grep -c '^  CC ' "$1/results/$K/$2/build.log")" \
		"$(field "$j" ccache hits)" "$(field "$j" ccache misses)"
}

echo "bench-build: $K on $(nproc) cores, work in $B"
W1="$B/work"
quiet env KBACKPORT_WORK="$W1" "$KB" kernels import $K
build "$W1" base "cold build (empty ccache)"
quiet env KBACKPORT_WORK="$W1" "$KB" port $K
build "$W1" patched "patched after base (other worktree)"

# A port that changes one line of fs/ext4/file.c: a commit on the port branch.
T1="$W1/trees/$K"
br=$(git -C "$T1" for-each-ref --format='%(refname:short)' "refs/heads/backport/" | grep "/$K\$")
git -C "$T1" checkout -q "$br"
echo "/* kbackport bench */" >>"$T1/fs/ext4/file.c"
git -C "$T1" -c user.name=bench -c user.email=bench@localhost commit -q -am "bench: touch fs/ext4/file.c"
build "$W1" patched "warm rebuild after fs/ext4/file.c changed"
grep '^  CC ' "$W1/results/$K/patched/build.log" | sed 's/^/      /'

W2="$B/work2"
quiet env KBACKPORT_WORK="$W2" "$KB" kernels import $K
build "$W2" base "fresh clone, same ccache"

KBACKPORT_WORK="$W1" KBACKPORT_ACCEL=tcg "$KB" boot $K --workload smoke --force >"$B/out" 2>&1 ||
	{ cat "$B/out"; exit 1; }
j="$W1/results/$K/base/smoke.json"
printf '  %-44s %7.1f s to init, %.1f s to the workload, %.1f s in all (verdict %s)\n' \
	"boot under TCG ($(field "$j" vcpus) vCPUs)" "$(field "$j" boot init_seconds)" \
	"$(field "$j" boot workload_seconds)" "$(field "$j" boot total_seconds)" "$(field "$j" verdict)"
