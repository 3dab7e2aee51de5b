#!/bin/sh
# The guest DIO programs, run on the host kernel against loop-mounted ext4:
# they build static and -Werror clean; kb-layout's layouts are what FIEMAP
# says (and a wrong one is refused); kb-dio-check's quick matrix finds no
# mismatch on ext4 with and without extents and does find the byte
# --self-test-corrupt flips; the ext3 race runs and reports consistently;
# kb-nowait answers every case and its comparison catches a wrong table
# entry; dio.sh under busybox frames one parseable result that claims no
# pass for what it did not compare. Mounting needs root: without it the
# mount-based checks are reported as skipped, not passed.
. "$(dirname "$0")/lib.sh"

BIN=${KBACKPORT_WORK:-work}/guest/bin
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
loops=
mnts=

cleanup() {
	for m in $mnts; do umount "$m" 2>/dev/null; done
	for l in $loops; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

built() {
	make -f tool/guest/guest.mk >"$T/make.out" 2>&1 || { cat "$T/make.out"; return 1; }
	for p in kb-layout kb-dio-check kb-nowait; do
		[ -x "$BIN/$p" ] || { echo "no $BIN/$p"; return 1; }
		ldd "$BIN/$p" 2>&1 | grep -q "not a dynamic executable" || { echo "$p is not static"; return 1; }
	done
}

# fs NAME FEATURES: a 600 MiB ext4 image (4K blocks by default) on its own
# loop device, mounted at $T/NAME; the device path in $T/NAME.dev.
fs() {
	truncate -s 600M "$T/$1.img" &&
	mkfs.ext4 -q -F ${2:+-O "$2"} "$T/$1.img" &&
	l=$(losetup -f --show "$T/$1.img") || return 1
	loops="$loops $l"
	mkdir -p "$T/$1" && mount "$l" "$T/$1" || return 1
	mnts="$mnts $T/$1"
	echo "$l" >"$T/$1.dev"
}

# json_check FILE PYTHON: asserts about the JSON object d in FILE.
json_check() {
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$2" "$1"
}

layouts_verified() {
	for l in test1 test2 overwrite; do
		"$BIN/kb-layout" build $l "$T/ext4/$l" --jobs 4 --size 256k >"$T/$l.json" || return 1
		json_check "$T/$l.json" "assert d['verified'] and d['blocks'] == 256, d" || return 1
	done
	# Test 1 alternates, Test 2's stripes merge [W] with the next [W]; overwrite is one extent.
	json_check "$T/test1.json" "assert d['extents'] == 256 and d['unwritten'] == 128, d" &&
	json_check "$T/test2.json" "assert d['extents'] == 129 and d['unwritten'] == 128, d" &&
	json_check "$T/overwrite.json" "assert d['extents'] == 1 and d['unwritten'] == 0, d" &&
	filefrag -v "$T/ext4/test2" | grep -Eq "^ +1: +1\.\. +2: .*unwritten"
}

wrong_layout_refused() {
	"$BIN/kb-layout" verify test1 "$T/ext4/overwrite" --jobs 4 --size 256k >"$T/wrong.json" 2>"$T/wrong.err"
	rc=$?
	cat "$T/wrong.err"
	[ $rc = 1 ] && grep -q "is not the test1 layout: block 1 (offset 4096): expected unwritten, FIEMAP says written" \
		"$T/wrong.err" && json_check "$T/wrong.json" "assert d['verified'] is False, d"
}

matrix_clean() {
	mkdir -p "$T/$1/check"
	"$BIN/kb-dio-check" --dir "$T/$1/check" --quick >"$T/$1-check.json" 2>"$T/$1-check.err"
	rc=$?
	head -n 5 "$T/$1-check.err"
	[ $rc = 0 ] && json_check "$T/$1-check.json" "
assert d['mismatch_runs'] == 0 and d['failed_cells'] == 0 and d['layout_errors'] == 0, d
assert d['size_errors'] == 0 and d['io_errors'] == 0 and d['runs'] == d['cells'], d
assert d['skipped_layouts'] == $2 and d['cells'] == $3, d
assert d['nowait_writes'] > 0 and d['writes'] == 4 * d['cells'], d"
}

corruption_found() {
	mkdir -p "$T/ext4/corrupt"
	"$BIN/kb-dio-check" --dir "$T/ext4/corrupt" --quick --self-test-corrupt >"$T/corrupt.json" 2>"$T/corrupt.err"
	rc=$?
	head -n 2 "$T/corrupt.err"
	[ $rc = 1 ] &&
	grep -Eq "^kb-dio-check: MISMATCH $T/ext4/corrupt/cell-0 \(hole/aligned/inside/plain/disjoint, O_DIRECT read\) offset 4196: expected 0x[0-9a-f]{2} \(writer 0\), actual 0x[0-9a-f]{2} \(unknown\)" \
		"$T/corrupt.err" &&
	json_check "$T/corrupt.json" "
assert d['self_test_corrupt'] and d['failed_cells'] == d['cells'] == 64, d
# one flipped byte per cell, seen by both reads
assert d['mismatch_runs'] == d['mismatch_bytes'] == 128, d
m = d['first_mismatches'][0]
assert m['offset'] == 4196 and m['expected'] != m['actual'] and m['via'] == 'O_DIRECT', m"
}

# The host kernel may or may not have patch 2/8's fix; the harness must
# run and its verdict must follow from what it counted.
race_consistent() {
	mkdir -p "$T/ext3/race"
	before=$(dmesg 2>/dev/null | grep -c "Page cache invalidation failure")
	"$BIN/kb-dio-check" --dir "$T/ext3/race" --ext3-race --rounds 100 >"$T/race.json" 2>"$T/race.err"
	rc=$?
	after=$(dmesg 2>/dev/null | grep -c "Page cache invalidation failure")
	cat "$T/race.json"
	echo "kernel log: $((after - before)) 'Page cache invalidation failure' during the race"
	json_check "$T/race.json" "
assert d['ran'] and d['rounds'] == 100 and d['a_writes'] >= 100, d
bad = d['fsync_eio'] or d['write_errors'] or d['a_errors'] or d['mismatch_runs'] or d['size_errors']
assert $rc == (1 if bad else 0), ($rc, d)"
}

NOWAIT_CASES="['overwrite-written', 'overwrite-unwritten', 'overwrite-mixed', 'unaligned-written',
 'unaligned-stripe', 'unaligned-zeroing', 'allocate', 'extending', 'cold-overwrite',
 'cold-unaligned-written', 'stale-mtime', 'overwrite-hole']"

nowait_answers() {
	"$BIN/kb-nowait" --mnt "$T/ext4" --dev "$(cat "$T/ext4.dev")" >"$T/nowait.json" 2>"$T/nowait.err" ||
		{ cat "$T/nowait.err"; return 1; }
	json_check "$T/nowait.json" "
assert [c['case'] for c in d['cases']] == $NOWAIT_CASES, d
ok = {'pwritev2-nowait': ('ok', 'eagain'), 'uring-nowait': ('ok', 'eagain', 'unavailable'),
      'uring': ('ok-inline', 'ok-punted', 'unavailable')}
for c in d['cases']:
    assert c['data'] == 'ok' and 'error' not in c, c
    for api, r in c['results'].items():
        assert r in ok[api], c
        # bytes a refused write left anyway: whole sectors, none when it succeeded
        w = c['eagain_written'][api]
        assert w % 512 == 0 and w <= int(c['write'].split()[0]) and (w == 0 or not r.startswith('ok')), c
    # RWF_NOWAIT answers alike from both interfaces; plain io_uring punts exactly where NOWAIT refuses
    if c['results']['uring'] != 'unavailable':
        assert c['results']['uring-nowait'] == c['results']['pwritev2-nowait'], c
        assert (c['results']['uring'] == 'ok-punted') == (c['results']['pwritev2-nowait'] == 'eagain'), c
# whatever the kernel: extending and partial-block zeroing into unwritten always need the exclusive lock
for c in d['cases']:
    if c['case'] in ('extending', 'unaligned-zeroing', 'allocate'):
        assert c['results']['pwritev2-nowait'] == 'eagain', c
    if c['case'] == 'overwrite-written':
        assert c['results']['pwritev2-nowait'] == 'ok', c"
}

# expect_from FLIP: an expectation file made from the answers just seen, with case FLIP's pwritev2 answer inverted.
expect_from() {
	python3 - "$T/nowait.json" "$1" >"$T/expect-$1.json" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	print('{"kernel": "host", "variant": "observed", "cases": [')
	rows = []
	for c in d['cases']:
	    e = dict(c['results'], case=c['case'], why='seen on this host')
	    if c['case'] == sys.argv[2]:
	        e['pwritev2-nowait'] = 'ok' if e['pwritev2-nowait'] == 'eagain' else 'eagain'
	    rows.append(json.dumps(e))
	print(',\n'.join(rows))
	print(']}')
	EOF
}

nowait_compared() {
	expect_from none && expect_from allocate &&
	"$BIN/kb-nowait" --mnt "$T/ext4" --dev "$(cat "$T/ext4.dev")" --expect "$T/expect-none.json" >"$T/same.json" &&
	json_check "$T/same.json" "
assert d['mismatches'] == 0 and d['compared'] + d['unrun'] == 36 and d['compared'] >= 12, d
assert all(c['match'] == (not c['ambiguous'] and 'unavailable' not in c['results'].values()) for c in d['cases']), d" &&
	{ "$BIN/kb-nowait" --mnt "$T/ext4" --dev "$(cat "$T/ext4.dev")" --expect "$T/expect-allocate.json" >"$T/flip.json"; [ $? = 1 ]; } &&
	json_check "$T/flip.json" "
assert d['mismatches'] == 1, d
bad = [c['case'] for c in d['cases'] if not c['match'] and not c['ambiguous']]
assert bad == ['allocate'], bad"
}

# The tables in the repo cover every case kb-nowait runs, each answer with a reason.
tables_complete() {
	for f in $SERIES/expect/nowait-base-debian-6.1.json $SERIES/expect/nowait-patched-debian-6.1.json \
		 $SERIES/expect/nowait-base-debian-6.12.json $SERIES/expect/nowait-patched-debian-6.12.json \
		 $SERIES/expect/nowait-base-debian-5.10.json $SERIES/expect/nowait-patched-debian-5.10.json; do
		json_check "$f" "
assert [c['case'] for c in d['cases']] == $NOWAIT_CASES, d
for c in d['cases']:
    assert c['pwritev2-nowait'] in ('ok', 'eagain') and c['uring-nowait'] == c['pwritev2-nowait'], c
    assert c['uring'] == ('ok-punted' if c['pwritev2-nowait'] == 'eagain' else 'ok-inline'), c
    assert len(c['why']) > 20, c
assert sys.argv[1].endswith('nowait-%s-%s.json' % (d['variant'], d['kernel'])), d" || return 1
		# kb-nowait reads them line by line: one case per line
		[ "$(grep -c '"case":' "$f")" = 12 ] || return 1
	done
}

# dio.sh's check() under busybox: a failure the known-defects table names is
# "known" with its why and fails nothing; any other failure, or the same one
# without the table, still fails. Every table lists real checks, an entry a
# line (the guest's sed reads it so), each with a console kind and a why.
known_checks() {
	bb=$(command -v busybox) || { echo "no busybox"; return 1; }
	sed -n '/^known_why() {$/,/^}$/p; /^check() {$/,/^}$/p' tool/guest/workloads/dio.sh >"$T/check.sh" &&
	[ "$(grep -c '^}$' "$T/check.sh")" = 2 ] || return 1
	for f in "$SERIES"/expect/known-*.json; do
		json_check "$f" "
assert sys.argv[1].endswith('known-%s-%s.json' % (d['variant'], d['kernel'])), d
assert d['known'] and d['variant'] == 'base', d
for e in d['known']:
    assert e['check'] in ('correctness-ext4', 'correctness-ext3', 'ext3-race', 'dmesg-invalidation'), e
    assert e['console'] in ('pagecache', 'warning') and len(e['why']) > 20, e" || return 1
		[ "$(grep -c '"check":' "$f")" = "$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["known"]))' "$f")" ] ||
			return 1
	done
	known=$SERIES/expect/known-base-debian-5.10.json
	# shellcheck disable=SC2016
	run='. "$1"; tests=; failed=0; KB_KNOWN=$2; shift 2
		while [ $# -gt 0 ]; do check "$1" fail "$2" 2>/dev/null; shift 2; done
		echo "$failed {\"tests\": [$tests]}"'
	"$bb" sh -c "$run" sh "$T/check.sh" "$known" ext3-race "fsync EIO 1" dmesg-invalidation "1 message" >"$T/k1" &&
	"$bb" sh -c "$run" sh "$T/check.sh" "$known" ext3-race "fsync EIO 1" correctness-ext4 "1 mismatch" >"$T/k2" &&
	"$bb" sh -c "$run" sh "$T/check.sh" "" ext3-race "fsync EIO 1" >"$T/k3" || return 1
	cat "$T/k1" "$T/k2" "$T/k3"
	[ "$(cut -d' ' -f1 "$T/k1")" = 0 ] && [ "$(cut -d' ' -f1 "$T/k2")" = 1 ] && [ "$(cut -d' ' -f1 "$T/k3")" = 1 ] &&
	for k in k1 k2 k3; do cut -d' ' -f2- "$T/$k" >"$T/$k.json"; done &&
	json_check "$T/k1.json" "
st = [(t['name'], t['status']) for t in d['tests']]
assert st == [('ext3-race', 'known'), ('dmesg-invalidation', 'known')], st
assert d['tests'][0]['detail'].rstrip() == 'fsync EIO 1 (known on this kernel without the series: ' \\
    '5.10 falls back to buffered I/O without draining in-flight DIO (fixed by 2/8))', d" &&
	json_check "$T/k2.json" "assert [t['status'] for t in d['tests']] == ['known', 'fail'], d" &&
	json_check "$T/k3.json" "assert [t['status'] for t in d['tests']] == ['fail'], d"
}

# dio.sh with busybox's applets first on PATH, as in the guest, on a loop device.
dio_framed() {
	bb=$(command -v busybox) || { echo "no busybox"; return 1; }
	mkdir -p "$T/bb" "$T/dio" && "$bb" --install -s "$T/bb" || return 1
	env PATH="$T/bb:/usr/sbin:/usr/bin:/sbin:/bin" DIO_DEVICE=loop DIO_DEV_MB=600 DIO_SIZE=256k \
		DIO_JOBS="1 2" DIO_CHECK=quick DIO_CHECK_ROUNDS=1 DIO_RACE_ROUNDS=20 DIO_MNT="$T/dio/mnt" \
		DIO_TMP="$T/dio" KB_BIN="$BIN" KB_FIO="$ROOT/tool/guest/fio" \
		"$bb" sh tool/guest/workloads/dio.sh >"$T/dio.out" 2>"$T/dio.err"
	rc=$?
	cat "$T/dio.err"
	[ "$(grep -c '^@@KB-RESULT-BEGIN@@$' "$T/dio.out")" = 1 ] &&
	[ "$(grep -c '^@@KB-RESULT-END@@$' "$T/dio.out")" = 1 ] &&
	sed -n '/^@@KB-RESULT-BEGIN@@$/,/^@@KB-RESULT-END@@$/p' "$T/dio.out" | sed '1d;$d' >"$T/dio.json" &&
	json_check "$T/dio.json" "
st = {t['name']: t['status'] for t in d['tests']}
assert list(st) == ['device', 'mkfs-ext4', 'correctness-ext4', 'nowait-table', 'bench-test1', 'bench-test2',
                    'bench-overwrite', 'mkfs-ext3', 'correctness-ext3', 'ext3-race', 'dmesg-invalidation'], st
assert set(st.values()) <= {'pass', 'fail', 'skip'}, st
# no table named: the NOWAIT answers are recorded, not claimed as a pass
assert st['nowait-table'] == 'skip' and d['nowait']['cases'], st
# only the host kernel's own ext3 race may fail here
assert all(v == 'pass' for k, v in st.items() if k not in ('nowait-table', 'ext3-race', 'dmesg-invalidation')), st
assert $rc == (1 if 'fail' in st.values() else 0), ($rc, st)
assert d['device']['kind'] == 'loop' and d['device']['latency_us'] == 0, d['device']
assert d['fs']['ext4']['block_size'] == 4096 and d['fs']['ext3']['block_size'] == 4096, d['fs']
for t in ('test1', 'test2', 'overwrite'):
    runs = d['bench'][t]
    assert [r['jobs'] for r in runs] == [1, 2], runs
    for r in runs:
        assert r['iops'] > 0 and r['layout']['verified'] and r['fio']['jobs'][0]['write']['iops'] == r['iops'], r
assert d['correctness_ext4']['mismatch_runs'] == 0 and d['correctness_ext3']['mismatch_runs'] == 0, d
assert d['ext3_race']['ran'], d['ext3_race']"
}

check "guest programs build static, -Werror clean" built
check "the NOWAIT tables cover every case, with reasons" tables_complete
check "known defects: a failure the table names is known, with its why; others still fail" known_checks
if ! fs ext4 "" >"$T/mount.out" 2>&1 || ! fs ext3 "^extents,^64bit" >>"$T/mount.out" 2>&1; then
	echo "skipped - cannot loop-mount ext4 images here (needs root and loop devices): $(tail -n 1 "$T/mount.out")"
	echo "skipped - kb-layout, kb-dio-check, kb-nowait and dio.sh checks (nothing mounted)"
	done_testing
	exit
fi
check "kb-layout builds test1/test2/overwrite and FIEMAP agrees" layouts_verified
check "kb-layout refuses a file whose extents are not the layout" wrong_layout_refused
check "kb-dio-check quick matrix: 0 mismatches on ext4" matrix_clean ext4 "[]" 64
check "kb-dio-check quick matrix: 0 mismatches without extents (hole, written)" matrix_clean ext3 \
	"['unwritten', 'mixed']" 32
check "kb-dio-check --self-test-corrupt: the flipped byte is reported" corruption_found
check "kb-dio-check --ext3-race runs and its verdict follows its counts" race_consistent
check "kb-nowait answers every case, data intact, APIs consistent" nowait_answers
check "kb-nowait --expect: matching table passes, one wrong entry is caught" nowait_compared
check "dio.sh under busybox: one framed, parseable result, no unearned pass" dio_framed
done_testing
