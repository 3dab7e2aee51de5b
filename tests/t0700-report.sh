#!/bin/sh
# kbackport report: from a crafted result store (tests/helpers/report-store.py:
# good, bad, slow; bench rounds: rounds, bound, spread, busy; the series as
# posted: posted, postfail) in a scratch work dir — text table with ✔/✘/≈ and
# reasons, the JSON schema, a self-contained HTML page rendered by headless
# Chromium with both plots; then the real store, if this checkout has one.
. "$(dirname "$0")/lib.sh"
W="$T/work"
python3 "$ROOT/tests/helpers/report-store.py" "$W" "$T/series" || exit 1
mkdir -p "$T/series"
cat >"$T/series/bench-reference.json" <<'JSON'
{"source": "the cover letter", "hardware": "a disk", "compare_jobs": 8,
 "tests": [{"name": "test1", "title": "Test 1: aligned", "min_ratio": 0.9,
            "base": [[1, 1000], [8, 1100]], "patched": [[1, 1000], [8, 4000]]},
           {"name": "test2", "title": "Test 2: unaligned", "min_ratio": 0.9,
            "base": [[1, 500], [8, 500]], "patched": [[1, 600], [8, 3000]]}]}
JSON
export KBACKPORT_WORK="$W"

text_table() {
	"$KB" report >"$T/text" 2>&1 || return 1
	cat "$T/text"
	head -n 1 "$T/text" | grep -q '^kernel  *revision  *patches  *prereqs  *build  *boot  *runner ' &&
	grep -Eq '^good  +6\.1\.192-3  +✔ 1 clean' "$T/text" &&
	grep -q 'tests  *debug  *as posted  *test1@8j  *test2@8j  *verdict' "$T/text" &&
	grep -Eq '^good .*✔ 1 clean 1 fuzzy 1 adapted 1 present .*qemu, lava .*✔ clean  *✔ no local fixes  *✔ 8.00x  *✔ 8.00x  *✔ pass' "$T/text" &&
	grep -Eq '^slow .*·  *✔ no local fixes  *✔ 8.00x  *✘ 0.50x  *✘ fail' "$T/text" &&
	grep -Eq '^bad .*✘ warn: lockdep  *✔ no local fixes  *✘ fail' "$T/text" &&
	grep -q '^bad: ✘ debug: debug dio: kernel verdict warn$' "$T/text" &&
	grep -q '^bad: ✘ debug: debug dio: console line 733: WARNING: possible circular locking dependency detected$' "$T/text" &&
	grep -q '^bad: debug lockdep at console line 733: WARNING: possible circular locking dependency detected$' "$T/text" &&
	grep -q '^    but task is already holding lock:$' "$T/text" &&
	grep -q '^slow: · debug: no results$' "$T/text" &&
	grep -Eq '^bad .*✘ clean/oops .*✘ fail' "$T/text" &&
	grep -q "^bad: ✘ build: base: stale build of 000000000000, the port's base is bbbbbbbbbbbb$" "$T/text" &&
	grep -q '^bad: ✘ boot: patched smoke: kernel verdict oops$' "$T/text" &&
	grep -q '^bad: ✘ boot: patched smoke: console line 412: Oops: general protection fault in ext4_x$' "$T/text" &&
	grep -q '^slow: ✘ bench: test2 at 8 jobs: patched/base 0.50x, below the expected 0.90x$' "$T/text" &&
	grep -q '^bad: · bench: no results$' "$T/text" &&
	! grep -q '^good: ✘' "$T/text"
}

json_schema() {
	"$KB" report --format json -o "$T/r.json" && python3 - "$T/r.json" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["schema"] == "kbackport-report/1", d["schema"]
	ks = {k["kernel"]: k for k in d["kernels"]}
	assert sorted(ks) == ["bad", "bound", "busy", "fastdev", "good", "posted", "postfail", "rounds", "slow", "spread",
	                      "tick"], sorted(ks)
	for k in ks.values():
	    assert set(k) >= {"tree", "port", "build", "boot", "bench", "tests", "measurements",
	                      "comparisons", "reference", "stages", "verdict", "steps", "posted"}, sorted(k)
	    assert set(k["stages"]) == {"port", "build", "boot", "bench", "debug", "posted"}
	    assert all(set(s) == {"status", "reasons", "disturbed", "known"} for s in k["stages"].values()), k["stages"]
	g = ks["good"]
	assert g["verdict"] == "pass" and all(s["status"] == "pass" for s in g["stages"].values()), g["stages"]
	assert g["tree"]["tip"] == "t" * 40 and g["port"]["counts"] == {"clean": 1, "fuzzy": 1, "adapted": 1, "already-present": 1}
	assert g["boot"]["base"]["runner"] == "qemu" and g["bench"]["patched"]["runner"] == "lava"
	m = [x for x in g["measurements"] if x["test"] == "test1" and x["variant"] == "patched"]
	assert [(x["jobs"], x["iops"]) for x in m] == [(1, 100), (2, 200), (4, 400), (8, 800)], m
	c = {x["test"]: x for x in g["comparisons"]}
	assert c["test1"]["jobs"] == 8 and c["test1"]["ratio"] == 8.0 and c["test1"]["min_ratio"] == 0.9, c
	assert {(t["variant"], t["name"]) for t in g["tests"] if t["variant"] != "debug"} == \
	    {(v, n) for v in ("base", "patched") for n in ("correctness-ext4", "nowait-table", "bench-test1", "bench-test2")}
	assert {t["name"] for t in g["tests"] if t["variant"] == "debug"} == {"correctness-ext4", "nowait-table", "bench-test1"}
	assert g["debug"]["boot"]["verdict"] == "clean" and g["debug"]["traces"] == [], g["debug"]
	assert g["bench"]["base"]["nowait"] == {"compared": 33, "mismatches": 0, "unrun": 0}, g["bench"]["base"]["nowait"]
	b = ks["bad"]
	assert b["stages"]["boot"]["status"] == "fail" and b["stages"]["bench"]["status"] == "not-run"
	assert b["boot"]["patched"]["console_tail"] == ["Oops: general protection fault", "Kernel panic"]
	assert ks["slow"]["stages"]["bench"]["status"] == "fail"
	assert b["stages"]["debug"]["status"] == "fail" and ks["slow"]["stages"]["debug"]["status"] == "not-run"
	# one round, as an older kbackport stored it: no spread, its ratio the round's
	c = {x["test"]: x for x in ks["slow"]["comparisons"]}
	assert c["test2"]["verdict"] == "fail" and c["test2"]["spread"] is None and c["test2"]["bound"] == 8.0, c
	assert [r["ratio"] for r in c["test2"]["rounds"]] == [0.5] and g["bench"]["base"]["host"] is None, c
	t = b["debug"]["traces"][0]
	assert t["kind"] == "lockdep" and t["line"] == 733 and t["trace"][-1].startswith("---[ end trace"), t
	EOF
}

# selected kernels only; an unknown format and an empty store are errors
options() {
	"$KB" report --kernels good,slow >"$T/two" 2>&1 && ! grep -q '^bad' "$T/two" && grep -q '^slow' "$T/two" &&
	expect_exit 2 "$KB" report --format pdf 2>"$T/err" && one_error "$T/err" "unknown format 'pdf'" &&
	KBACKPORT_WORK="$T/empty" expect_exit 3 "$KB" report 2>"$T/err" && one_error "$T/err" "no results under"
}

# an older kbackport's store (one series per tree, records without a schema)
# is moved aside once, announced, never read as series
old_layout() {
	O="$T/old" &&
	mkdir -p "$O/results/debian-6.12/base" "$O/results/debian-6.12/patched" "$O/ports/debian-6.12" &&
	echo '{"verdict": "clean"}' >"$O/results/debian-6.12/base/smoke.json" &&
	echo '{"kernel": "debian-6.12"}' >"$O/ports/debian-6.12/port.json" &&
	KBACKPORT_WORK="$O" expect_exit 3 "$KB" report >"$T/out" 2>"$T/err" &&
	cat "$T/err" && [ ! -s "$T/out" ] &&
	[ "$(grep -c "^note: '$O/results' is from an older kbackport" "$T/err")" = 1 ] &&
	[ "$(grep -c "^note: '$O/ports' is from an older kbackport" "$T/err")" = 1 ] &&
	grep -q "^error: no results under '$O'" "$T/err" &&
	[ ! -e "$O/results" ] && [ ! -e "$O/ports" ] &&
	[ -f "$O"/results.before-store-1.*/debian-6.12/base/smoke.json ] &&
	[ -f "$O"/ports.before-store-1.*/debian-6.12/port.json ] &&
	KBACKPORT_WORK="$O" expect_exit 3 "$KB" report 2>"$T/err2" && ! grep -q '^note' "$T/err2"
}

html_self_contained() {
	"$KB" report --format html -o "$T/r.html" 2>/dev/null &&
	"$KB" report --format html --kernels good -o "$T/good.html" 2>/dev/null &&
	head -c 15 "$T/r.html" | grep -q '<!DOCTYPE html>' &&
	! grep -Eiq '<script|<link|src=|url\(|href="(https?:)?//' "$T/r.html" &&
	[ "$(grep -c '<svg class="plot" data-kernel="good"' "$T/r.html")" = 2 ] &&
	grep -q 'Oops: general protection fault in ext4_x' "$T/r.html" &&
	grep -q 'hunk 1 dropped as asked in review' "$T/r.html" &&
	grep -q 'WARNING: line length of 101' "$T/r.html" &&
	grep -q 'lockdep at console line 733: WARNING: possible circular locking dependency detected' "$T/r.html" &&
	grep -q 'ffff (&amp;ei-&gt;i_data_sem){++++}-{3:3}, at: ext4_map_blocks+0x1a/0x30' "$T/r.html"
}

# Chromium renders it: the DOM has both plots with their curves, the screenshot
# is not blank and shows the patched curve's red and the base curve's blue.
chromium_render() {
	cd "$T" &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$T/r.html" >"$T/dom" 2>"$T/chromium.err" &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 \
		--screenshot="$T/shot.png" "file://$T/good.html" >>"$T/chromium.err" 2>&1
	rc=$?
	cd "$ROOT" || return 1
	[ $rc = 0 ] || { tail -n 5 "$T/chromium.err"; return 1; }
	python3 - "$T/dom" "$T/shot.png" <<-'EOF'
	import re, struct, sys, zlib
	dom = open(sys.argv[1]).read()
	plots = re.findall(r'<svg class="plot" data-kernel="good" data-test="(test[12])"(.*?)</svg>', dom, re.S)
	assert [p[0] for p in plots] == ["test1", "test2"], [p[0] for p in plots]
	for name, body in plots:
	    labels = re.findall(r'<polyline class="curve" data-label="([^"]+)"', body)
	    assert labels == ["base", "patched", "cover letter base", "cover letter patched"], (name, labels)
	# decode the PNG (8-bit RGB or RGBA) and count its colours
	data = open(sys.argv[2], "rb").read()
	assert data[:8] == b"\x89PNG\r\n\x1a\n"
	pos, idat, hdr = 8, b"", None
	while pos < len(data):
	    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
	    body = data[pos + 8:pos + 8 + n]
	    if kind == b"IHDR":
	        hdr = struct.unpack(">IIBBBBB", body)
	    elif kind == b"IDAT":
	        idat += body
	    pos += 12 + n
	w, h, depth, ctype = hdr[:4]
	assert depth == 8 and ctype in (2, 6), hdr
	bpp = 3 if ctype == 2 else 4
	raw, stride, prev, colours = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set()
	for y in range(h):
	    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
	    for i in range(stride):
	        a = line[i - bpp] if i >= bpp else 0
	        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
	        if f == 1: line[i] = (line[i] + a) & 255
	        elif f == 2: line[i] = (line[i] + b) & 255
	        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
	        elif f == 4:
	            p = a + b - c
	            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
	            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
	    colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp))
	    prev = line
	print(len(colours), "colours")
	assert len(colours) > 50, len(colours)
	assert bytes.fromhex("d62728") in colours and bytes.fromhex("1f77b4") in colours, "no plot curves in the screenshot"
	EOF
}

# the real store of this checkout, when the matrix or the commands filled it
real_store() {
	KBACKPORT_WORK="$ROOT/work" "$KB" report >"$T/real" 2>&1 && cat "$T/real" && grep -q '^kernel ' "$T/real" &&
	KBACKPORT_WORK="$ROOT/work" "$KB" report --format html -o "$T/real.html" 2>/dev/null &&
	KBACKPORT_WORK="$ROOT/work" "$KB" report --format json | python3 -c 'import json,sys; json.load(sys.stdin)'
}

check "text: one row per kernel, ✔/✘ and every reason, the debug stage's splat with its trace" text_table

# The debug kernel's NOWAIT answers are shown, judged by the bench stage: a
# debug boot whose workload failed on its table alone (an answer the slow
# KASAN kernel left ambiguous), its matrix step failed with exit 9 on the
# record it reused, keeps the debug stage passing; a failed data check in
# the same record fails it.
debug_table_not_judged() {
	cp -r "$W" "$T/wd" &&
	python3 - "$T/wd/results/$(basename "$T/series")/good" <<-'EOF' || return 1
	import json, os, sys
	d = sys.argv[1]
	p = os.path.join(d, "debug", "dio.json")
	b = json.load(open(p))
	b["workload_status"] = "failed"
	for t in b["result"]["tests"]:
	    if t["name"] == "nowait-table":
	        t["status"], t["detail"] = "fail", "0 of 35 answers differ, 1 not compared"
	json.dump(b, open(p, "w"))
	st = os.stat(p).st_mtime
	# a second matrix run: the step reused the stored record (and failed as it did)
	m = {"schema": 1, "steps": [{"name": "boot-debug", "stage": "debug", "status": "fail", "exit": 9, "reused": True,
	                             "result": p, "finished": st + 1000, "seconds": 0.4, "why": "verdict: clean"}]}
	json.dump(m, open(os.path.join(d, "matrix.json"), "w"))
	EOF
	KBACKPORT_WORK="$T/wd" "$KB" report --kernels good >"$T/dtext" 2>&1
	cat "$T/dtext"
	grep -q '^good ' "$T/dtext" && ! grep -q '^good: ✘ debug' "$T/dtext" &&
	python3 - "$T/wd/results/$(basename "$T/series")/good/debug/dio.json" <<-'EOF' &&
	import json, sys
	p = sys.argv[1]
	b = json.load(open(p))
	for t in b["result"]["tests"]:
	    if t["name"] == "correctness-ext4":
	        t["status"] = "fail"
	json.dump(b, open(p, "w"))
	EOF
	KBACKPORT_WORK="$T/wd" "$KB" report --kernels good >"$T/dtext2" 2>&1
	cat "$T/dtext2"
	grep -q '^good: ✘ debug: debug dio: workload failed' "$T/dtext2" &&
	grep -q '^good: ✘ debug: debug correctness-ext4: ' "$T/dtext2"
}
check "debug: a workload that failed on its NOWAIT table alone passes (the bench stage judges it); a data check fails it" debug_table_not_judged
# The defect the series fixes, shown by base where the series' known-defects
# table says it may (the boot judged "known", its checks "known"): listed
# with ○, no failure; the same console line without the table's mark, or a
# known check on patched's record turned into a failure, fails the bench.
known_defect() {
	rm -rf "$T/wk" && cp -r "$W" "$T/wk" &&
	python3 - "$T/wk/results/$(basename "$T/series")/good" <<-'EOF' || return 1
	import json, os, sys
	p = os.path.join(sys.argv[1], "base", "dio.json")
	b = json.load(open(p))
	b["verdict"] = "known"
	b["findings"] = [{"kind": "pagecache", "verdict": "warn", "line": 240, "trace": [],
	                  "text": "[   90.1] Page cache invalidation failure on direct I/O.",
	                  "known": "no drain before the buffered fallback"}]
	b["result"]["tests"].append({"name": "ext3-race", "status": "known",
	                             "detail": "fsync EIO 1 (known on this kernel without the series: no drain)"})
	json.dump(b, open(p, "w"))
	EOF
	KBACKPORT_WORK="$T/wk" "$KB" report --kernels good >"$T/ktext" 2>&1 || return 1
	cat "$T/ktext"
	grep -Eq '^good .* known/clean .* 8/8 pass, 1 known .*✔ pass' "$T/ktext" && ! grep -q '^good: ✘' "$T/ktext" &&
	grep -q '^good: ○ bench: known: base dio: console line 240: \[   90.1\] Page cache invalidation failure on direct I/O. (no drain before the buffered fallback)$' "$T/ktext" &&
	grep -q '^good: ○ bench: known: base dio: ext3-race: fsync EIO 1 (known on this kernel without the series: no drain)$' "$T/ktext" &&
	python3 - "$T/wk/results/$(basename "$T/series")/good/base/dio.json" <<-'EOF' &&
	import json, sys
	b = json.load(open(sys.argv[1]))
	b["verdict"] = "warn"
	del b["findings"][0]["known"]
	json.dump(b, open(sys.argv[1], "w"))
	EOF
	KBACKPORT_WORK="$T/wk" "$KB" report --kernels good >"$T/ktext2" 2>&1
	cat "$T/ktext2"
	grep -q '^good: ✘ bench: base dio: kernel verdict warn$' "$T/ktext2"
}
check "known defects: the race the series fixes, on base as its table says, is listed (○), not failed; unmarked, it fails" known_defect
check "json: kbackport-report/1 with tree, build, boot, tests, measurements" json_schema
# Rounds: the median ratio, the spread, and disturbed (never a pass, never a
# fail) for a ratio above what 8 jobs can give, rounds that disagree, a busy host.
rounds_text() {
	"$KB" report >"$T/text" 2>&1 || return 1
	cat "$T/text"
	grep -Eq '^rounds .*✔ 8/8 pass .*✔ 7.80x  *✔ 7.80x  *✔ pass' "$T/text" &&
	grep -Eq '^bound .*≈ 8/8 pass .*≈ 13.20x  *≈ 13.20x  *≈ disturbed' "$T/text" &&
	grep -Eq '^spread .*≈ 5.50x  *≈ 5.50x  *≈ disturbed' "$T/text" &&
	grep -Eq '^busy .*≈ 7.10x  *≈ 7.10x  *≈ disturbed' "$T/text" &&
	grep -q '^rounds: test1 at 8 jobs: patched/base 7.80x, median of rounds 8.00x, 7.60x; spread 0.05: pass$' "$T/text" &&
	grep -q '^bound: ≈ bench: test1 at 8 jobs: patched/base 13.20x, above the 8.00x that 8 jobs can give at most$' "$T/text" &&
	grep -q '^spread: ≈ bench: test2 at 8 jobs: the rounds disagree: 4.00x, 7.00x (spread 0.55, above 0.25)$' "$T/text" &&
	grep -q '^busy: ≈ bench: base round 2: the host was busy: other processes used 1.31 CPUs on average (nproc 2)$' "$T/text" &&
	[ "$(grep -c '^busy: ≈' "$T/text")" = 1 ] &&
	! grep -Eq '^(rounds|bound|spread|busy): ✘' "$T/text" && ! grep -q '^rounds: ≈' "$T/text"
}

rounds_json() {
	"$KB" report --format json -o "$T/r.json" && python3 - "$T/r.json" <<-'EOF'
	import json, sys
	ks = {k["kernel"]: k for k in json.load(open(sys.argv[1]))["kernels"]}
	r = ks["rounds"]
	c = {x["test"]: x for x in r["comparisons"]}["test1"]
	assert [x["ratio"] for x in c["rounds"]] == [8.0, 7.6] and abs(c["ratio"] - 7.8) < 1e-9, c
	assert abs(c["spread"] - 0.4 / 7.8) < 1e-9 and c["base"] == 100.0 and c["patched"] == 780.0, c
	assert c["verdict"] == "pass" and c["disturbed"] == [] and r["verdict"] == "pass", c
	assert {m["round"] for m in r["measurements"]} == {1, 2}, r["measurements"]
	assert [x["round"] for x in r["bench"]["rounds"]] == [1, 2], r["bench"]["rounds"]
	assert r["bench"]["rounds"][1]["patched"]["host"]["busy"] is False, r["bench"]["rounds"]
	# with the device's latency on record the bound is what the device allows: 8 x 125 IOPS over base's 84
	t = {x["test"]: x for x in ks["tick"]["comparisons"]}["test1"]
	assert abs(t["ratio"] - 8.33) < 0.01 and abs(t["bound"] - 1000 / 84) < 1e-9, t
	assert t["verdict"] == "pass" and ks["tick"]["verdict"] == "pass", t
	why = {"bound": "above the 8.00x that 8 jobs can give",
	       "fastdev": "patched/base 12.04x, above the 11.90x that 8 jobs can give", "spread": "the rounds disagree",
	       "busy": "base round 2: the host was busy: other processes used 1.31 CPUs"}
	for name, text in why.items():
	    k = ks[name]
	    st = k["stages"]["bench"]
	    assert k["verdict"] == "disturbed" and st["status"] == "disturbed" and st["reasons"] == [], (name, st)
	    assert st["disturbed"] and all(text in d for d in st["disturbed"]), (name, st)
	    for c in k["comparisons"]:
	        assert c["verdict"] == "disturbed" and any(text in d for d in c["disturbed"]), (name, c)
	EOF
}

# The series as posted: its defect kept as evidence beside the fixed kernel's pass.
posted_text() {
	"$KB" report >"$T/text" 2>&1 || return 1
	cat "$T/text"
	grep -Eq '^posted .*✔ 1 clean 1 fuzzy 1 adapted 1 present \+1 local fix ' "$T/text" &&
	grep -Eq '^posted .* defect: 1 case  *✔ 7.10x  *✔ 7.10x  *✔ pass' "$T/text" &&
	grep -Eq '^postfail .*✘ panic  *✔ 7.10x  *✔ 7.10x  *✘ fail' "$T/text" &&
	grep -q '^posted: series as posted: pppppppppppp; local fixes carried: 1, tip tttttttttttt$' "$T/text" &&
	grep -q '^posted:   local fix 1 (clean): ext4: refuse a NOWAIT DIO write before any I/O unless all of it maps$' "$T/text" &&
	grep -q '^posted: as posted: defect in the series as posted, carried fix: ext4: refuse a NOWAIT DIO write before any I/O unless all of it maps$' "$T/text" &&
	grep -q '^posted:   kb-nowait overwrite-hole \[W\]\[H\], 8192 bytes at 32768: pwritev2-nowait: EAGAIN after 4096 bytes of the write were written; uring-nowait: EAGAIN after 4096 bytes of the write were written; uring: error:EAGAIN in the completion instead of the write punted to io-wq$' "$T/text" &&
	grep -q '^postfail: ✘ posted: posted dio: the checks did not run to their end: workload unfinished, kernel verdict panic$' "$T/text" &&
	! grep -q '^posted: ✘' "$T/text" && ! grep -q '^good: series as posted' "$T/text"
}

posted_json() {
	"$KB" report --format json -o "$T/r.json" && python3 - "$T/r.json" <<-'EOF'
	import json, sys
	ks = {k["kernel"]: k for k in json.load(open(sys.argv[1]))["kernels"]}
	p = ks["posted"]
	assert p["stages"]["posted"]["status"] == "pass" and p["verdict"] == "pass", p["stages"]
	assert p["port"]["counts"] == {"clean": 1, "fuzzy": 1, "adapted": 1, "already-present": 1}, p["port"]["counts"]
	assert p["port"]["posted"] == "p" * 40 and [f["subject"] for f in p["port"]["local_fixes"]] == \
	    ["ext4: refuse a NOWAIT DIO write before any I/O unless all of it maps"], p["port"]
	e = p["posted"]["evidence"]
	assert [x["case"] for x in e] == ["overwrite-hole"] and e[0]["layout"] == "[W][H]", e
	assert e[0]["eagain_written"]["pwritev2-nowait"] == 4096 and e[0]["results"]["uring"] == "error:EAGAIN", e
	assert p["posted"]["note"].startswith("defect in the series as posted, carried fix: ext4: refuse"), p["posted"]
	assert p["posted"]["build"]["commit"] == "p" * 40 and p["posted"]["boot"]["workload_status"] == "failed"
	assert not any(t["variant"] == "posted" for t in p["tests"]), p["tests"]
	f = ks["postfail"]
	assert f["stages"]["posted"]["status"] == "fail" and f["verdict"] == "fail", f["stages"]["posted"]
	g = ks["good"]
	assert g["stages"]["posted"]["status"] == "pass" and g["posted"]["note"] == "no local fixes: patched is the series as posted"
	assert g["port"]["local_fixes"] == [] and g["posted"]["evidence"] == [], g["posted"]
	EOF
}

posted_html() {
	"$KB" report --format html -o "$T/r.html" 2>/dev/null &&
	grep -q '<h3>Series as posted (evidence)</h3><p>defect in the series as posted, carried fix: ext4: refuse' "$T/r.html" &&
	grep -q 'Local fixes carried' "$T/r.html" && grep -q '<td>kb-nowait overwrite-hole</td><td>\[W\]\[H\]</td>' "$T/r.html" &&
	grep -q '<li class="disturbed">≈ busy bench: base round 2: the host was busy' "$T/r.html" &&
	grep -q '<h3>Bench rounds</h3>' "$T/r.html" && grep -q '<td class="disturbed">≈ disturbed' "$T/r.html"
}

check "--kernels, bad format, empty store" options
check "rounds: median and spread per test; disturbed by bound, spread, busy host, with reasons (text)" rounds_text
check "rounds: comparisons per round, median, spread, verdicts (json)" rounds_json
check "the series as posted: local fixes in the port column, the defect's evidence, a crashed posted boot fails (text)" posted_text
check "the series as posted: evidence, local fixes, counts without them (json)" posted_json
check "html: the posted evidence, the local fixes, disturbed styled, the rounds" posted_html
check "an older one-series-per-tree store: moved aside once, announced, not read" old_layout
check "html: one self-contained file with both plots and the debug boot's lockdep trace" html_self_contained
check "chromium renders the page: both plots, curves drawn" chromium_render
if [ -d "$ROOT/work/results" ]; then
	check "the real store reads back as text, json, html" real_store
else
	skip "the real store reads back as text, json, html" "no work/results in this checkout"
fi
done_testing
