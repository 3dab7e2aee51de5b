#!/bin/sh
# make bench: the cover letter's Test 1 and Test 2 per tree, base against
# patched, with the pure-overwrite reference, from one `kbackport boot
# --workload dio --force` run per variant (the dio workload times all three
# layouts at 1, 2, 4, 8 jobs on one kernel and one device). Prints IOPS vs
# jobs, patched/base at 8 jobs against the 5.46x goal, and whether patched
# stays within 15% of the overwrite curve of the same kernel at every job count.
#
# KB_BENCH_DIO_TREES   trees, default "debian-6.12 debian-6.1"
# KB_BENCH_DIO_APPEND  dio settings as kernel arguments, e.g. "DIO_LATENCY_US=2000 DIO_SIZE=4m"
#
# Builds (under /tmp/kb-build.lock) only what is not built yet; each dio boot
# takes 2-3 minutes under TCG. The runs' results are kept as
# work/bench/dio/<tree>-<variant>.json (a later boot of the same image
# replaces work/results/<tree>/<variant>/dio.json). Exit 1 when a run gave no usable result;
# a missed goal is printed, not an exit status: it is a measurement.
set -u
cd "$(dirname "$0")/.." || exit 1
KB=./kbackport
TREES=${KB_BENCH_DIO_TREES:-debian-6.12 debian-6.1}
APPEND=${KB_BENCH_DIO_APPEND:-}
SERIES=ext4-dio-shared-lock
W=${KBACKPORT_WORK:-work}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
keep=$W/bench/dio
mkdir -p "$keep" || exit 1

# quiet COMMAND...: its output only when it fails.
quiet() {
	"$@" >"$out/log" 2>&1 || { tail -n 30 "$out/log"; return 1; }
}

# ready K: both variants of tree K built, importing and porting first if needed.
ready() {
	[ -d "$W/trees/$1" ] || quiet "$KB" kernels import "$1" || return 1
	git -C "$W/trees/$1" rev-parse -q --verify "refs/heads/backport/$SERIES/$1" >/dev/null ||
		quiet "$KB" port "$1" || return 1
	for v in base patched; do
		[ -f "$W/worktrees/$1/$v/.build/arch/x86/boot/bzImage" ] ||
			quiet flock /tmp/kb-build.lock "$KB" build "$1" --variant $v || return 1
	done
}

# dio K V: one dio boot, its wall time printed and its result kept as
# $keep/K-V.json. The boot's kernel arguments carry a mark of this run: the
# stored result must have it, or another boot of the same kernel wrote it.
dio() {
	start=$(date +%s)
	mark="KB_BENCH_RUN=$$.$start"
	"$KB" boot "$1" --variant "$2" --workload dio --force --append "$mark${APPEND:+ $APPEND}" \
		>"$out/log" 2>&1
	rc=$?
	grep -E "^$1 $2: (booting|verdict|workload)" "$out/log" | sed 's/^/  /'
	echo "  $1 $2: boot exit $rc, $(($(date +%s) - start)) s wall"
	cp "$W/results/$1/$2/dio.json" "$keep/$1-$2.json" 2>/dev/null &&
		grep -q "\"kernel_args\": *\"[^\"]*$mark" "$keep/$1-$2.json" ||
		{ echo "  $1 $2: no result of this run (a concurrent boot of the same image?)"; rm -f "$keep/$1-$2.json"; }
}

status=0
echo "bench-dio: Test 1, Test 2 and pure overwrite, base and patched, on $(nproc) host cores${APPEND:+; settings: $APPEND}"
for K in $TREES; do
	echo
	echo "== $K"
	ready "$K" || { echo "  $K: cannot build both variants"; status=1; continue; }
	dio "$K" base
	dio "$K" patched
	python3 - "$keep/$K-base.json" "$keep/$K-patched.json" <<-'EOF' || status=1
	import json, sys

	def load(path):
	    try:
	        b = json.load(open(path))
	    except OSError:
	        sys.exit("  no result to compare")
	    r = b.get("result") or {}
	    if r.get("workload") != "dio" or "bench" not in r:
	        sys.exit("  %s: no dio result (verdict %s, workload %s)" %
	                 (path, b.get("verdict"), b.get("workload_status")))
	    return b, r

	def curve(r, test):
	    return {run["jobs"]: run["iops"] for run in r["bench"].get(test, [])}

	(bb, base), (pb, pat) = load(sys.argv[1]), load(sys.argv[2])
	dev = pat["device"]
	print("  kernel %s, %s with %d vCPUs; device %s, %s us per I/O, %s MiB; %d KiB per job, fio %s" % (
	    pat["kernel"], pb["accelerator"], pb["vcpus"], dev["kind"], dev["latency_us"], dev["size_mb"],
	    pat["settings"]["size"] // 1024, pat["settings"]["engine"]))
	for name, b, r in (("base", bb, base), ("patched", pb, pat)):
	    failed = [t["name"] for t in r["tests"] if t["status"] == "fail"]
	    print("  %-8s verdict %s, workload %s, %.0f s in the guest%s" % (
	        name, b["verdict"], b["workload_status"], r["seconds"],
	        ", failed: " + " ".join(failed) if failed else ""))
	jobs = sorted(set(curve(base, "test1")) | set(curve(pat, "test1")))
	rows = [("Test 1", "test1"), ("Test 2", "test2"), ("overwrite", "overwrite")]
	print()
	print("  %-22s" % "IOPS   jobs:" + "".join("%9d" % j for j in jobs))
	for label, test in rows:
	    for name, r in (("base", base), ("patched", pat)):
	        c = curve(r, test)
	        print("  %-22s" % ("%s %s" % (label, name)) +
	              "".join("%9s" % ("%.0f" % c[j] if c.get(j) is not None else "-") for j in jobs))
	print()
	ok_all = True
	over = curve(pat, "overwrite")
	for label, test in rows[:2]:
	    b8, p8 = curve(base, test).get(8), curve(pat, test).get(8)
	    c = curve(pat, test)
	    devs = [(j, c[j] / over[j] - 1) for j in jobs
	            if c.get(j) is not None and over.get(j)]
	    within = len(devs) == len(jobs) and all(abs(d) <= 0.15 for _, d in devs)
	    if b8 and p8:
	        ratio = p8 / b8
	        met = ratio >= 5.46
	        rtext = "%.2fx (%.0f / %.0f) goal >= 5.46x: %s" % (ratio, p8, b8, "met" if met else "MISSED")
	    else:
	        met = False
	        rtext = "no 8-job run in both variants: goal NOT SHOWN"
	    ok_all = ok_all and met and within
	    print("  %-7s patched/base at 8 jobs: %s" % (label, rtext))
	    print("  %-7s patched vs overwrite (patched kernel): %s; within 15%% at every job count: %s" % (
	        label, " ".join("%dj %+.1f%%" % (j, 100 * d) for j, d in devs) or "no data",
	        "yes" if within else "NO"))
	print("  goals %s" % ("all met" if ok_all else "NOT all met (see above)"))
	EOF
done
exit $status
