#!/bin/sh
# The dio workload on the booted debian-6.12 kernels (from the fixture,
# built here if they are not), with quick settings:
#   patched: the series with its local fix (backports/<series>/local/): the
#            data checks pass (correctness 0 mismatches on ext4 and without
#            extents, the ext3 race), verdict clean, every NOWAIT answer is
#            its table's, no refused write wrote anything (eagain_written 0)
#            and a plain io_uring write never completes with EAGAIN;
#   posted:  the series as posted: the same, but for the one known defect of
#            the series (KNOWN below), which must show as a write that failed
#            after writing part of its data;
#   base:    compared with the patched table on purpose: the suite must fail
#            on exactly the cases the series changes, and the answers there
#            must be the base table's (the tests tell the variants apart);
#            its data checks pass too, verdict clean.
# Each boot is forced and its result must be new, for these settings, and
# from a run that compared something. Three TCG boots, about 4 minutes.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
K=debian-6.12
W=$KBACKPORT_WORK/results/$SNAME/$K
EXPECT=$SERIES/expect
QUICK="DIO_CHECK=quick DIO_CHECK_ROUNDS=1 DIO_SIZE=256k DIO_JOBS=4 DIO_RACE_ROUNDS=40"

built() {
	use_built $K base && use_built $K patched && use_built $K posted
}

# dio VARIANT EXIT [ARGS]: a forced dio boot with the quick settings (plus
# ARGS) must exit EXIT and leave a dio.json made by this very boot: its
# kernel arguments carry a mark of this run, so neither a stored result nor
# one another boot of the same image wrote at the same time can pass.
dio() {
	rm -f "$W/$1/dio.json"
	mark="KB_TEST_RUN=$$.$(date +%s)"
	"$KB" boot $K --variant "$1" --workload dio --force --append "$mark $QUICK${3:+ $3}" >"$T/$1.out" 2>&1
	rc=$?
	grep -v '^[^ ]* [a-z]*: result: ' "$T/$1.out"
	[ $rc = "$2" ] || { echo "exit $rc, expected $2"; return 1; }
	grep -Eq "^$K $1: booting bzImage with (kvm|tcg) " "$T/$1.out" &&
	python3 - "$W/$1/dio.json" "$1" "$mark ${3:-}" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert all(a in b["kernel_args"].split() for a in sys.argv[3].split()), b["kernel_args"]
	assert b["variant"] == sys.argv[2] and b["verdict"] == "clean" and b["findings"] == [], b["findings"]
	assert "DIO_CHECK=quick" in b["kernel_args"].split(), b["kernel_args"]
	r = b["result"]
	assert r["workload"] == "dio" and r["variant"] == sys.argv[2] and r["kb_kernel"] == "debian-6.12", r
	assert r["settings"]["check"] == "quick" and r["settings"]["size"] == 262144, r["settings"]
	assert r["settings"]["jobs"] == "4" and r["settings"]["race_rounds"] == 40, r["settings"]
	assert r["device"]["kind"] == "null_blk" and r["device"]["latency_us"] > 0, r["device"]
	EOF
}

# data_clean VARIANT: the data checks ran and found nothing wrong.
data_clean() {
	python3 - "$W/$1/dio.json" <<-'EOF'
	import json, sys
	r = json.load(open(sys.argv[1]))["result"]
	st = {t["name"]: t["status"] for t in r["tests"]}
	for t in ("device", "mkfs-ext4", "correctness-ext4", "bench-test1", "bench-test2", "bench-overwrite",
	          "mkfs-ext3", "correctness-ext3", "ext3-race", "dmesg-invalidation"):
	    assert st.get(t) == "pass", (t, st)
	for fs, skipped in (("correctness_ext4", []), ("correctness_ext3", ["unwritten", "mixed"])):
	    c = r[fs]
	    assert c["quick"] and c["cells"] > 0 and c["runs"] == c["cells"] and c["nowait_writes"] > 0, c
	    assert c["mismatch_runs"] == c["failed_cells"] == c["io_errors"] == c["size_errors"] == 0, c
	    assert c["skipped_layouts"] == skipped, c
	x = r["ext3_race"]
	assert x["ran"] and x["rounds"] == 40 and x["a_writes"] >= 40, x
	assert x["fsync_eio"] == x["write_errors"] == x["mismatch_runs"] == 0, x
	for t in ("test1", "test2", "overwrite"):
	    (run,) = r["bench"][t]
	    assert run["jobs"] == 4 and run["iops"] > 0 and run["layout"]["verified"], run
	EOF
}

# nowait_answers VARIANT KNOWN: the NOWAIT table's answers differ from the
# patched table exactly at KNOWN ({(case, api): answer}), each such write
# having written part of its data before its EAGAIN, and no other refused
# write wrote anything; a plain io_uring write never ends with EAGAIN elsewhere.
nowait_answers() {
	python3 - "$W/$1/dio.json" "$2" <<-'EOF'
	import ast, json, sys
	r = json.load(open(sys.argv[1]))["result"]
	known = ast.literal_eval(sys.argv[2])
	st = {t["name"]: t["status"] for t in r["tests"]}
	assert [k for k, v in st.items() if v != "pass"] == (["nowait-table"] if known else []), st
	n = r["nowait"]
	assert n["expect_file"] == "/kb/expect/nowait-patched-debian-6.12.json" and n["data_errors"] == 0, n
	assert n["compared"] + n["unrun"] == 3 * len(n["cases"]) == 36 and n["compared"] >= 30, n
	seen = {}
	for c in n["cases"]:
	    for api, got in c["results"].items():
	        if api not in c["ambiguous"] and got != c["expect"][api]:
	            seen[(c["case"], api)] = got
	assert seen == known and n["mismatches"] == len(known), (seen, known)
	for c in n["cases"]:
	    hit = any(case == c["case"] for case, _ in known)
	    if hit:
	        assert c["eagain_written"]["uring-nowait"] > 0, c
	    else:
	        assert not any(c["eagain_written"].values()), c
	        assert c["results"].get("uring") != "eagain", c
	EOF
}

# The series as posted: [W][H] under the shared lock: the written block's bio
# is submitted before ext4_iomap_alloc() refuses IOMAP_NOWAIT (1/8), so the
# write fails with EAGAIN after writing 4K, and io_uring cannot reissue the
# failed async completion: a plain io_uring write gets -EAGAIN (base:
# punted, succeeds). The local fix refuses it before any I/O.
KNOWN="{('overwrite-hole', 'uring'): 'eagain'}"

patched_passes() {
	dio patched 0 && data_clean patched && nowait_answers patched "{}"
}

posted_shows_defect() {
	dio posted 9 && data_clean posted && nowait_answers posted "$KNOWN"
}

# The base kernel against the patched table: kb-nowait must fail exactly where
# the two tables differ, and answer there as the base table says.
base_told_apart() {
	dio base 9 "KB_EXPECT=/kb/expect/nowait-patched-$K.json" &&
	data_clean base &&
	python3 - "$W/base/dio.json" "$EXPECT/nowait-base-$K.json" "$EXPECT/nowait-patched-$K.json" <<-'EOF'
	import json, sys
	r = json.load(open(sys.argv[1]))["result"]
	base = {c["case"]: c for c in json.load(open(sys.argv[2]))["cases"]}
	pat = {c["case"]: c for c in json.load(open(sys.argv[3]))["cases"]}
	apis = ("pwritev2-nowait", "uring-nowait", "uring")
	changed = sorted(k for k in base if any(base[k][a] != pat[k][a] for a in apis))
	assert "overwrite-mixed" in changed and "stale-mtime" in changed, changed
	st = {t["name"]: t["status"] for t in r["tests"]}
	assert st["nowait-table"] == "fail", st
	assert [k for k, v in st.items() if v != "pass"] == ["nowait-table"], st
	n = r["nowait"]
	assert n["expect_file"].endswith("nowait-patched-debian-6.12.json") and n["data_errors"] == 0, n
	assert n["compared"] == 3 * len(n["cases"]) == 36 and n["unrun"] == 0, n
	assert n["mismatches"] == sum(base[k][a] != pat[k][a] for k in base for a in apis), n
	assert not any(any(c["eagain_written"].values()) for c in n["cases"]), n
	failed = sorted(c["case"] for c in n["cases"] if not c["match"])
	assert failed == changed, (failed, changed)
	for c in n["cases"]:
	    want = {a: base[c["case"]][a] for a in apis}
	    assert c["results"] == want, (c["case"], c["results"], want)
	print("base answers as its table on every case; differs from patched on", ", ".join(changed))
	EOF
}

check "$K base and patched are built" built
check "dio on $K patched (with the local fix): data checks pass, NOWAIT as its table, no partial EAGAIN" patched_passes
check "dio on $K as posted: data checks pass, NOWAIT as its table but the known [W][H] defect" posted_shows_defect
check "dio on $K base vs the patched table: fails on exactly the changed cases, base answers" base_told_apart
done_testing
