#!/bin/sh
# make bench: the cover letter's Test 1 and Test 2 per tree, base against
# patched, and patched (the series with its local fixes) against the series
# as posted, with the pure-overwrite reference. The dio workload times all
# three layouts at 1, 2, 4, 8 jobs on one kernel and one device; the
# variants boot in turn, round after round (base, patched, posted, base,
# ...), so a slow spell of the host hits each. Prints IOPS vs jobs (the
# median of the rounds), patched/base at 8 jobs against the 5.46x goal,
# patched/posted at 8 jobs against "within 5%", and whether patched stays
# within 15% of the overwrite curve of the same kernel at every job count.
#
# KB_BENCH_DIO_TREES     trees, default "debian-6.12 debian-6.1 debian-5.10"
# KB_BENCH_DIO_VARIANTS  default "base patched posted" (posted only where the
#                        port carries local fixes)
# KB_BENCH_DIO_ROUNDS    rounds, default 2
# KB_BENCH_DIO_APPEND    dio settings as kernel arguments, e.g. "DIO_LATENCY_US=2000 DIO_SIZE=4m"
#
# Builds (under /tmp/kb-build.lock) only what is not built yet; each dio boot
# takes 2-3 minutes under TCG. Each round's result is kept as
# work/bench/dio/<tree>-<variant>-<round>.json. Exit 1 when a run gave no
# usable result; a missed goal is printed, not an exit status: it is a
# measurement.
set -u
cd "$(dirname "$0")/.." || exit 1
KB=./kbackport
TREES=${KB_BENCH_DIO_TREES:-debian-6.12 debian-6.1 debian-5.10}
APPEND=${KB_BENCH_DIO_APPEND:-}
VARIANTS=${KB_BENCH_DIO_VARIANTS:-base patched posted}
ROUNDS=${KB_BENCH_DIO_ROUNDS:-2}
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

# ready K: tree K ported and the variants built, importing and porting first
# if needed; prints the variants it can measure (posted: only when the port
# carries local fixes, else it is patched).
ready() {
	[ -d "$W/trees/$1" ] || quiet "$KB" kernels import "$1" >&2 || return 1
	git -C "$W/trees/$1" rev-parse -q --verify "refs/heads/backport/$SERIES/$1" >/dev/null ||
		quiet "$KB" port "$1" >&2 || return 1
	for v in $VARIANTS; do
		if [ $v = posted ] && ! python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))
sys.exit(p.get("posted") in (None, p.get("tip")))' "$W/ports/$SERIES/$1/port.json"; then
			continue
		fi
		quiet flock /tmp/kb-build.lock "$KB" build "$1" --variant $v >&2 || return 1
		echo $v
	done
}

# dio K V R: round R of variant V, its wall time printed and its result kept
# as $keep/K-V-R.json. The boot's kernel arguments carry a mark of this run:
# the stored result must have it, or another boot of the same kernel wrote it.
dio() {
	start=$(date +%s)
	mark="KB_BENCH_RUN=$$.$start"
	"$KB" boot "$1" --variant "$2" --round "$3" --workload dio --force --append "$mark${APPEND:+ $APPEND}" \
		>"$out/log" 2>&1
	rc=$?
	grep -E "^$1 $2( round $3)?: (booting|verdict|workload|host)" "$out/log" | sed 's/^/  /'
	echo "  $1 $2 round $3: boot exit $rc, $(($(date +%s) - start)) s wall"
	rec=$W/results/$SERIES/$1/$2/dio.json
	[ "$3" = 1 ] || rec=$W/results/$SERIES/$1/$2/dio.round-$3.json
	cp "$rec" "$keep/$1-$2-$3.json" 2>/dev/null &&
		grep -q "\"kernel_args\": *\"[^\"]*$mark" "$keep/$1-$2-$3.json" ||
		{ echo "  $1 $2 round $3: no result of this run (a concurrent boot of the same image?)"; rm -f "$keep/$1-$2-$3.json"; }
}

status=0
echo "bench-dio: Test 1, Test 2 and pure overwrite, $VARIANTS in turn, $ROUNDS rounds, on $(nproc) host cores${APPEND:+; settings: $APPEND}"
for K in $TREES; do
	echo
	echo "== $K"
	have=$(ready "$K") || { echo "  $K: cannot build $VARIANTS"; status=1; continue; }
	r=1
	while [ $r -le "$ROUNDS" ]; do
		for v in $have; do
			dio "$K" $v $r
		done
		r=$((r + 1))
	done
	python3 - "$keep" "$K" "$ROUNDS" $have <<-'EOF' || status=1
	import json, statistics, sys

	keep, tree, rounds, variants = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]

	def load(v, r):
	    path = "%s/%s-%s-%d.json" % (keep, tree, v, r)
	    try:
	        b = json.load(open(path))
	    except OSError:
	        sys.exit("  %s round %d: no result to compare" % (v, r))
	    res = b.get("result") or {}
	    if res.get("workload") != "dio" or "bench" not in res:
	        sys.exit("  %s: no dio result (verdict %s, workload %s)" %
	                 (path, b.get("verdict"), b.get("workload_status")))
	    return b, res

	runs = {v: [load(v, r) for r in range(1, rounds + 1)] for v in variants}

	def curve(res, test):
	    return {run["jobs"]: run["iops"] for run in res["bench"].get(test, [])}

	def median_curve(v, test):
	    per = [curve(res, test) for _, res in runs[v]]
	    jobs = set().union(*per)
	    return {j: statistics.median(c[j] for c in per if c.get(j) is not None)
	            for j in jobs if any(c.get(j) is not None for c in per)}

	def at8(v, test):
	    return [curve(res, test).get(8) for _, res in runs[v]]

	pb, pat = runs[variants[-1]][0]
	dev = pat["device"]
	print("  kernel %s, %s with %d vCPUs; device %s, %s us per I/O, %s MiB; %d KiB per job, fio %s" % (
	    pat["kernel"], pb["accelerator"], pb["vcpus"], dev["kind"], dev["latency_us"], dev["size_mb"],
	    pat["settings"]["size"] // 1024, pat["settings"]["engine"]))
	for v in variants:
	    for r, (b, res) in enumerate(runs[v], 1):
	        failed = [t["name"] for t in res["tests"] if t["status"] == "fail"]
	        host = b.get("host") or {}
	        nw = res.get("nowait") or {}
	        print("  %-8s round %d: verdict %s, workload %s, %.0f s in the guest, host %s%s; NOWAIT %s/%s agree%s" % (
	            v, r, b["verdict"], b["workload_status"], res["seconds"],
	            "busy" if host.get("busy") else "quiet", " (%s)" % host["reason"] if host.get("reason") else "",
	            nw.get("compared", 0) - nw.get("mismatches", 0), nw.get("compared", 0),
	            ", failed: " + " ".join(failed) if failed else ""))
	jobs = sorted(set().union(*(median_curve(v, "test1") for v in variants)))
	rows = [("Test 1", "test1"), ("Test 2", "test2"), ("overwrite", "overwrite")]
	print()
	print("  %-24s" % "IOPS (median)   jobs:" + "".join("%9d" % j for j in jobs))
	for label, test in rows:
	    for v in variants:
	        c = median_curve(v, test)
	        print("  %-24s" % ("%s %s" % (label, v)) +
	              "".join("%9s" % ("%.0f" % c[j] if c.get(j) is not None else "-") for j in jobs))
	print()

	def ratio(a, b, test):
	    pa, pb_ = at8(a, test), at8(b, test)
	    per = [x / y for x, y in zip(pa, pb_) if x and y]
	    if len(per) != rounds:
	        return None, "no 8-job run in every round of both: NOT SHOWN"
	    med = statistics.median(per)
	    return med, "%.2fx (rounds %s, spread %.2f)" % (med, ", ".join("%.2fx" % x for x in per),
	                                                    (max(per) - min(per)) / med)

	ok_all = True
	for label, test in rows[:2]:
	    if "base" in variants and "patched" in variants:
	        med, text = ratio("patched", "base", test)
	        met = med is not None and med >= 5.46
	        ok_all = ok_all and met
	        print("  %-7s patched/base at 8 jobs: %s goal >= 5.46x: %s" % (label, text, "met" if met else "MISSED"))
	    if "posted" in variants and "patched" in variants:
	        med, text = ratio("patched", "posted", test)
	        met = med is not None and abs(med - 1) <= 0.05
	        ok_all = ok_all and met
	        print("  %-7s patched/posted at 8 jobs: %s goal within 5%%: %s" % (label, text, "met" if met else "MISSED"))
	    if "patched" in variants:
	        over, c = median_curve("patched", "overwrite"), median_curve("patched", test)
	        devs = [(j, c[j] / over[j] - 1) for j in jobs if c.get(j) is not None and over.get(j)]
	        within = len(devs) == len(jobs) and all(abs(d) <= 0.15 for _, d in devs)
	        ok_all = ok_all and within
	        print("  %-7s patched vs overwrite (patched kernel): %s; within 15%% at every job count: %s" % (
	            label, " ".join("%dj %+.1f%%" % (j, 100 * d) for j, d in devs) or "no data",
	            "yes" if within else "NO"))
	print("  goals %s" % ("all met" if ok_all else "NOT all met (see above)"))
	EOF
done
exit $status
