# dio: the evidence for "ext4: allow more DIO writes under shared i_rwsem"
# on one kernel, all on ext4 over a block device with injected latency:
#   - kb-dio-check: the correctness matrix (ext4, then without extents)
#   - kb-nowait: which NOWAIT writes get EAGAIN, compared with the table
#     for this kernel and variant when there is one
#   - kb-dio-check --ext3-race: patch 2/8's race, plus the kernel log's
#     "Page cache invalidation failure"
#   - the cover letter's Test 1 and Test 2 and a pure-overwrite reference,
#     timed by fio at 1, 2, 4, 8 jobs, each on a file kb-layout rebuilt and
#     checked with FIEMAP just before
# One framed JSON result; exit status 1 if anything failed. A step that
# could not run says "skip" and why, never "pass".
#
# Settings, from the environment (the kernel hands unknown NAME=value boot
# parameters to init, so "DIO_LATENCY_US=2000" on the command line works):
#   DIO_DEVICE      nullb (default): null_blk, memory-backed, timer completion;
#                   dm-delay: dm-delay over a loop device on tmpfs (needs dmsetup);
#                   loop: a loop device without latency (to test this script);
#                   or the path of a block device to use as it is
#   DIO_LATENCY_US  latency of every I/O, default 8000: long enough that the
#                   device, not the CPU, bounds 8 jobs on 2 emulated (TCG) vCPUs
#                   (without CONFIG_HIGH_RES_TIMERS it ends on the next tick)
#   DIO_DEV_MB      device size, default 1024 (mkfs picks 4K blocks from 512)
#   DIO_MKFS_OPTS   extra mkfs.ext4 options, default none
#   DIO_SIZE        bytes per fio job, default 2m; DIO_JOBS, default "1 2 4 8"
#   DIO_ENGINE      fio ioengine, default psync; DIO_RUNTIME, cap per run, 120 s
#   DIO_CHECK       full (default) or quick matrix; DIO_CHECK_ROUNDS, default 2
#   DIO_RACE_ROUNDS rounds of the ext3 race, default 200
#   DIO_BENCH       all (default), or none: the fio benchmarks are skipped (a
#                   debug kernel's numbers measure its checks, not the series)
#   DIO_MNT, DIO_TMP  mount point (/mnt/kbdio) and scratch directory (/tmp)
#   KB_BIN, KB_FIO  the kb-* programs (/usr/bin) and fio job files (/kb/fio)
#   KB_KERNEL, KB_VARIANT  this kernel's name and variant (else kb.kernel= and
#                   kb.variant= on the kernel command line), recorded, and
#                   naming the NOWAIT table: KB_EXPECT, default
#                   /kb/expect/nowait-$KB_VARIANT-$KB_KERNEL.json, and the
#                   known defects: KB_KNOWN, default
#                   /kb/expect/known-$KB_VARIANT-$KB_KERNEL.json, one entry a
#                   line: a failed check it names is "known", with its why

DIO_DEVICE=${DIO_DEVICE:-nullb}
DIO_LATENCY_US=${DIO_LATENCY_US:-8000}
DIO_DEV_MB=${DIO_DEV_MB:-1024}
DIO_MKFS_OPTS=${DIO_MKFS_OPTS:-}
DIO_SIZE=${DIO_SIZE:-2m}
DIO_JOBS=${DIO_JOBS:-1 2 4 8}
DIO_ENGINE=${DIO_ENGINE:-psync}
DIO_RUNTIME=${DIO_RUNTIME:-120}
DIO_CHECK=${DIO_CHECK:-full}
DIO_CHECK_ROUNDS=${DIO_CHECK_ROUNDS:-2}
DIO_RACE_ROUNDS=${DIO_RACE_ROUNDS:-200}
DIO_BENCH=${DIO_BENCH:-all}
DIO_MNT=${DIO_MNT:-/mnt/kbdio}
DIO_TMP=${DIO_TMP:-/tmp}
KB_BIN=${KB_BIN:-/usr/bin}
KB_FIO=${KB_FIO:-/kb/fio}
# In bytes, for test2.fio's shortened regions.
case $DIO_SIZE in
*[kK]) DIO_SIZE=$((${DIO_SIZE%?} * 1024)) ;;
*[mM]) DIO_SIZE=$((${DIO_SIZE%?} * 1048576)) ;;
*[gG]) DIO_SIZE=$((${DIO_SIZE%?} * 1073741824)) ;;
esac
DIO_T2_SIZE=$((DIO_SIZE - 512))
export DIO_SIZE DIO_T2_SIZE DIO_ENGINE DIO_RUNTIME

for arg in $(cat /proc/cmdline); do
	case "$arg" in
	kb.kernel=*) KB_KERNEL=${KB_KERNEL:-${arg#kb.kernel=}} ;;
	kb.variant=*) KB_VARIANT=${KB_VARIANT:-${arg#kb.variant=}} ;;
	esac
done
# a debug kernel is the patched commit with more checks, and posted is the
# series as posted: both are held to the series' promise, patched's table
table=${KB_VARIANT:-}
case "$table" in debug | posted) table=patched ;; esac
if [ -z "${KB_EXPECT:-}" ] && [ -n "${KB_KERNEL:-}" ] && [ -n "$table" ]; then
	KB_EXPECT=/kb/expect/nowait-$table-$KB_KERNEL.json
fi
# the defects the series fixes, on the kernel without it: no table for debug or posted
if [ -z "${KB_KNOWN:-}" ] && [ -n "${KB_KERNEL:-}" ] && [ -n "${KB_VARIANT:-}" ]; then
	KB_KNOWN=/kb/expect/known-$KB_VARIANT-$KB_KERNEL.json
fi

out=$(mktemp -d "$DIO_TMP/kbdio.XXXXXX") || exit 1
tests=
failed=0
dev=
nullb=
loopdev=
dmname=
started=$(cut -d' ' -f1 /proc/uptime)

# known_why NAME: why the known-defects table expects check NAME to fail here, if it does.
known_why() {
	[ -n "${KB_KNOWN:-}" ] && [ -r "$KB_KNOWN" ] || return 1
	why=$(sed -n "s/.*\"check\": *\"$1\".*\"why\": *\"\([^\"]*\)\".*/\1/p" "$KB_KNOWN" | head -n 1)
	[ -n "$why" ]
}

# check NAME STATUS DETAIL: one entry of the result (pass, fail or skip; a
# failure the known-defects table lists is "known", its why appended).
check() {
	status=$2
	text=$3
	if [ "$status" = fail ] && known_why "$1"; then
		status=known
		text="$text (known on this kernel without the series: $why)"
	fi
	detail=$(echo "$text" | tr -d '"\\' | tr '\n' ' ')
	tests="$tests${tests:+,}{\"name\":\"$1\",\"status\":\"$status\",\"detail\":\"$detail\"}"
	[ "$status" != fail ] || failed=1
	echo "dio: $1: $status: $detail" >&2
}

# json FILE: the JSON object the file holds, or null when it holds none.
json() {
	if [ -s "$1" ] && [ "$(head -c 1 "$1")" = "{" ]; then cat "$1"; else echo null; fi
}

# jstr VALUE: a JSON string, or null when empty.
jstr() {
	if [ -n "$1" ]; then echo "\"$(echo "$1" | tr -d '"\\')\""; else echo null; fi
}

# num FILE KEY: the number after "KEY": in a kb-* program's JSON (0 when absent).
num() {
	v=$(sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p" "$1" 2>/dev/null | head -n 1)
	echo "${v:-0}"
}

# ---- the device ---------------------------------------------------------------

# null_blk through configfs: memory-backed, every I/O completed by a timer
# after the latency; 512-byte sectors so Test 2's +512 writes are legal.
dev_nullb() {
	[ -d /sys/kernel/config/nullb ] || mount -t configfs configfs /sys/kernel/config 2>/dev/null
	nb=/sys/kernel/config/nullb/kbdio
	if ! mkdir $nb 2>/dev/null; then
		echo "no null_blk configfs (CONFIG_BLK_DEV_NULL_BLK, CONFIG_CONFIGFS_FS)"
		return 1
	fi
	nullb=$nb
	echo 1 >$nb/memory_backed && echo 2 >$nb/irqmode &&
		echo $((DIO_LATENCY_US * 1000)) >$nb/completion_nsec &&
		echo "$DIO_DEV_MB" >$nb/size && echo 512 >$nb/blocksize && echo 1 >$nb/power ||
		{ echo "cannot configure $nb"; return 1; }
	dev=/dev/kbdio
	# before v5.17 the disk is nullb<index>, not named after its configfs item
	[ -b $dev ] || dev=/dev/nullb$(cat $nb/index 2>/dev/null)
	[ -b "$dev" ] || { echo "null_blk powered on but neither /dev/kbdio nor $dev appeared"; return 1; }
	echo "null_blk $dev, ${DIO_LATENCY_US} us timer completion, $DIO_DEV_MB MiB"
	device_json="{\"kind\":\"null_blk\",\"path\":\"$dev\",\"latency_us\":$DIO_LATENCY_US,\"size_mb\":$DIO_DEV_MB,\"detail\":\"memory_backed=1 irqmode=2 (timer) completion_nsec=$((DIO_LATENCY_US * 1000)) blocksize=512\"}"
}

# A loop device over a file in DIO_TMP (tmpfs in the guest).
dev_loop() {
	truncate -s "${DIO_DEV_MB}M" "$out/device.img" || return 1
	loopdev=$(losetup -f) && losetup "$loopdev" "$out/device.img" ||
		{ echo "no free loop device (CONFIG_BLK_DEV_LOOP)"; loopdev=; return 1; }
}

# dm-delay takes whole milliseconds, and its timer works in jiffies: the
# real latency is at least one tick (4 ms at HZ=250).
dev_dm_delay() {
	command -v dmsetup >/dev/null || { echo "no dmsetup in this image"; return 1; }
	dev_loop || return 1
	ms=$(((DIO_LATENCY_US + 999) / 1000))
	echo "0 $((DIO_DEV_MB * 2048)) delay $loopdev 0 $ms" | dmsetup create --noudevsync kbdio ||
		{ echo "dmsetup create failed (CONFIG_BLK_DEV_DM, CONFIG_DM_DELAY)"; return 1; }
	dmname=kbdio
	# Without udev there is no /dev/mapper link, only the dm-N node devtmpfs made.
	dev=/dev/$(dmsetup info -c --noheadings -o blkdevname kbdio)
	[ -b "$dev" ] || { echo "dm-delay device node $dev missing"; return 1; }
	echo "dm-delay $dev, $ms ms over $loopdev, $DIO_DEV_MB MiB"
	device_json="{\"kind\":\"dm-delay\",\"path\":\"$dev\",\"latency_us\":$((ms * 1000)),\"size_mb\":$DIO_DEV_MB,\"detail\":\"delay $ms ms over $loopdev on a file in $DIO_TMP; timer granularity is one jiffy\"}"
}

dev_plain_loop() {
	dev_loop || return 1
	dev=$loopdev
	echo "loop $dev, no latency, $DIO_DEV_MB MiB"
	device_json="{\"kind\":\"loop\",\"path\":\"$dev\",\"latency_us\":0,\"size_mb\":$DIO_DEV_MB,\"detail\":\"no latency injected\"}"
}

setup_device() {
	case "$DIO_DEVICE" in
	nullb) dev_nullb ;;
	dm-delay) dev_dm_delay ;;
	loop) dev_plain_loop ;;
	/*)
		[ -b "$DIO_DEVICE" ] || { echo "$DIO_DEVICE is not a block device"; return 1; }
		dev=$DIO_DEVICE
		echo "$dev as it is"
		device_json="{\"kind\":\"given\",\"path\":\"$dev\",\"latency_us\":null,\"size_mb\":null,\"detail\":\"used as it is\"}"
		;;
	*) echo "unknown DIO_DEVICE '$DIO_DEVICE'"; return 1 ;;
	esac
}

cleanup() {
	umount "$DIO_MNT" 2>/dev/null
	[ -z "$dmname" ] || dmsetup remove "$dmname"
	[ -z "$loopdev" ] || losetup -d "$loopdev"
	if [ -n "$nullb" ]; then
		echo 0 >"$nullb/power" 2>/dev/null
		rmdir "$nullb"
	fi
	rm -rf "$out"
}

# mkfs_mount NAME FEATURES: a fresh filesystem on the device, mounted at DIO_MNT.
mkfs_mount() {
	umount "$DIO_MNT" 2>/dev/null
	# Inode tables and journal zeroed now, so no lazy-init thread writes during the timed runs.
	opts="-q -F -E lazy_itable_init=0,lazy_journal_init=0${DIO_MKFS_OPTS:+ $DIO_MKFS_OPTS}${2:+ -O $2}"
	# shellcheck disable=SC2086 # opts is a list of options
	if ! msg=$(mkfs.ext4 $opts "$dev" 2>&1); then
		check "mkfs-$1" fail "mkfs.ext4 $opts $dev: $msg"
		return 1
	fi
	mkdir -p "$DIO_MNT"
	if ! msg=$(mount -t ext4 "$dev" "$DIO_MNT" 2>&1); then
		check "mkfs-$1" fail "mount $dev: $msg"
		return 1
	fi
	bs=$(stat -f -c %S "$DIO_MNT" 2>/dev/null)
	check "mkfs-$1" pass "mkfs.ext4 $opts, block size ${bs:-unknown}"
	fs_json="$fs_json${fs_json:+,}\"$1\":{\"mkfs\":\"mkfs.ext4 $opts\",\"block_size\":${bs:-null}}"
}

# ---- the checks -------------------------------------------------------------------

# correctness NAME: the kb-dio-check matrix on the mounted filesystem.
correctness() {
	mkdir -p "$DIO_MNT/check"
	quick=
	[ "$DIO_CHECK" = quick ] && quick=--quick
	# shellcheck disable=SC2086 # quick is an optional flag
	"$KB_BIN/kb-dio-check" --dir "$DIO_MNT/check" $quick --rounds "$DIO_CHECK_ROUNDS" \
		>"$out/$1.json" 2>"$out/$1.err"
	rc=$?
	tail -n 20 "$out/$1.err" >&2
	summary="$(num "$out/$1.json" cells) cells, $(num "$out/$1.json" runs) runs,\
 $(num "$out/$1.json" mismatch_runs) mismatches, $(num "$out/$1.json" failed_cells) failed cells,\
 $(num "$out/$1.json" eagain_retries) NOWAIT EAGAIN retried"
	case $rc in
	0) check "$1" pass "$summary" ;;
	1) check "$1" fail "$summary; $(head -n 3 "$out/$1.err")" ;;
	*) check "$1" fail "kb-dio-check could not run (exit $rc): $(tail -n 2 "$out/$1.err")" ;;
	esac
}

nowait() {
	if [ -n "${KB_EXPECT:-}" ] && [ -f "$KB_EXPECT" ]; then
		"$KB_BIN/kb-nowait" --mnt "$DIO_MNT" --dev "$dev" --expect "$KB_EXPECT" >"$out/nowait.json" 2>"$out/nowait.err"
	else
		"$KB_BIN/kb-nowait" --mnt "$DIO_MNT" --dev "$dev" >"$out/nowait.json" 2>"$out/nowait.err"
	fi
	rc=$?
	f=$out/nowait.json
	if [ $rc -gt 1 ] || [ "$(json "$f")" = null ]; then
		check nowait-table fail "kb-nowait could not run (exit $rc): $(tail -n 2 "$out/nowait.err")"
	elif [ "$(num "$f" data_errors)" != 0 ]; then
		check nowait-table fail "data read back wrong after $(num "$f" data_errors) cases"
	elif [ -z "${KB_EXPECT:-}" ] || [ ! -f "$KB_EXPECT" ]; then
		check nowait-table skip "ran, not compared: no table ${KB_EXPECT:-(KB_KERNEL and KB_VARIANT unknown)}"
	elif [ "$(num "$f" mismatches)" != 0 ] || [ "$(num "$f" unrun)" != 0 ]; then
		check nowait-table fail "$(num "$f" mismatches) of $(num "$f" compared) answers differ from $KB_EXPECT, $(num "$f" unrun) not compared"
	else
		check nowait-table pass "$(num "$f" compared) answers as in $KB_EXPECT"
	fi
}

invalidation_failures() {
	dmesg 2>/dev/null | grep -c "Page cache invalidation failure"
}

ext3_race() {
	mkdir -p "$DIO_MNT/race"
	before=$(invalidation_failures)
	"$KB_BIN/kb-dio-check" --dir "$DIO_MNT/race" --ext3-race --rounds "$DIO_RACE_ROUNDS" \
		>"$out/race.json" 2>"$out/race.err"
	rc=$?
	after=$(invalidation_failures)
	f=$out/race.json
	summary="$(num "$f" rounds) rounds, $(num "$f" a_writes) async writes, fsync EIO $(num "$f" fsync_eio),\
 $(num "$f" write_errors) write errors, $(num "$f" mismatch_runs) mismatches"
	case $rc in
	0) check ext3-race pass "$summary" ;;
	1) check ext3-race fail "$summary" ;;
	*) check ext3-race skip "not run: $(sed -n 's/.*"why":"\([^"]*\)".*/\1/p' "$f") $(tail -n 1 "$out/race.err")" ;;
	esac
	if ! dmesg >/dev/null 2>&1; then
		check dmesg-invalidation skip "cannot read the kernel log"
	elif [ "$after" -gt "$before" ]; then
		check dmesg-invalidation fail "$((after - before)) 'Page cache invalidation failure' messages during the race"
	else
		check dmesg-invalidation pass "no 'Page cache invalidation failure' during the race"
	fi
}

# ---- the timed runs -------------------------------------------------------------------

# fio_iops FILE: the write IOPS of a group-reported fio JSON result.
fio_iops() {
	awk '/"write" : \{/ { w = 1 } w && /"iops" :/ { gsub(/[^0-9.]/, ""); print; exit }' "$1"
}

# bench TEST LAYOUT: one fio run per job count, each on a freshly built and verified layout.
bench() {
	runs=
	bad=
	line=
	for jobs in $DIO_JOBS; do
		file=$DIO_MNT/$1.dat
		rm -f "$file"
		if ! "$KB_BIN/kb-layout" build "$2" "$file" --jobs "$jobs" --size "$DIO_SIZE" \
			>"$out/layout.json" 2>"$out/layout.err"; then
			bad="$bad layout($jobs): $(cat "$out/layout.err")"
			continue
		fi
		# Clean page cache only (the extent cache stays): kb-layout's buffered writes leave
		# pages where the kernel has no fadvise, and the timed DIO would have to invalidate them.
		sync
		echo 1 >/proc/sys/vm/drop_caches 2>/dev/null
		before=$(stat -c '%i %s' "$file")
		DIO_FILE=$file DIO_JOBS=$jobs fio --output-format=json --output="$out/fio.out" \
			"$KB_FIO/$1.fio" >"$out/fio.err" 2>&1
		rc=$?
		# fio lays out a new file when it finds one too small: then nothing ran on the layout.
		after=$(stat -c '%i %s' "$file")
		[ "$before" = "$after" ] || bad="$bad fio($jobs) replaced the file (inode and size $before, now $after)"
		# fio may put notes before the JSON: keep from the first line that opens it.
		sed -n '/^{/,$p' "$out/fio.out" >"$out/fio.json" 2>/dev/null
		iops=$(fio_iops "$out/fio.json")
		if [ $rc != 0 ] || [ -z "$iops" ]; then
			bad="$bad fio($jobs): exit $rc $(tail -n 2 "$out/fio.err")"
			iops=null
		fi
		line="$line ${jobs}j=$iops"
		runs="$runs${runs:+,}{\"jobs\":$jobs,\"iops\":$iops,\"layout\":$(json "$out/layout.json"),\"fio\":$(json "$out/fio.json")}"
	done
	rm -f "$DIO_MNT/$1.dat"
	bench_json="$bench_json${bench_json:+,}\"$1\":[$runs]"
	if [ -n "$bad" ]; then
		check "bench-$1" fail "$bad"
	else
		check "bench-$1" pass "IOPS:$line (layout $2 verified before each run)"
	fi
}

# ---- main -------------------------------------------------------------------------

trap cleanup EXIT
device_json=null
fs_json=
bench_json=
if setup_device >"$out/device.msg" 2>&1; then
	check device pass "$(cat "$out/device.msg")"
else
	check device fail "$(cat "$out/device.msg")"
fi

if [ $failed = 0 ] && mkfs_mount ext4 ""; then
	correctness correctness-ext4
	nowait
	if [ "$DIO_BENCH" = none ]; then
		for b in test1 test2 overwrite; do
			check "bench-$b" skip "DIO_BENCH=none"
		done
	else
		bench test1 test1
		bench test2 test2
		bench overwrite overwrite
	fi
else
	check correctness-ext4 skip "no ext4 filesystem"
fi

# The series' patch 2/8 race needs inodes without extents: ext3 as ext4 mounts it.
if [ -n "$dev" ] && mkfs_mount ext3 "^extents,^64bit"; then
	correctness correctness-ext3
	ext3_race
else
	check ext3-race skip "no filesystem without extents"
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1 | tr -d '"\\')
ended=$(cut -d' ' -f1 /proc/uptime)
{
	echo "{\"workload\":\"dio\",\"kernel\":\"$(uname -r)\",\"kb_kernel\":$(jstr "${KB_KERNEL:-}"),\"variant\":$(jstr "${KB_VARIANT:-}"),"
	echo "\"nproc\":$(nproc),\"cpu\":\"$cpu\",\"seconds\":$(awk "BEGIN { print $ended - $started }"),"
	echo "\"settings\":{\"size\":$DIO_SIZE,\"jobs\":\"$DIO_JOBS\",\"engine\":\"$DIO_ENGINE\",\"check\":\"$DIO_CHECK\",\"check_rounds\":$DIO_CHECK_ROUNDS,\"race_rounds\":$DIO_RACE_ROUNDS,\"bench\":\"$DIO_BENCH\"},"
	echo "\"device\":$device_json,\"fs\":{$fs_json},"
	echo "\"tests\":[$tests],"
	echo "\"correctness_ext4\":$(json "$out/correctness-ext4.json"),"
	echo "\"correctness_ext3\":$(json "$out/correctness-ext3.json"),"
	echo "\"ext3_race\":$(json "$out/race.json"),"
	echo "\"nowait\":$(json "$out/nowait.json"),"
	echo "\"bench\":{$bench_json}}"
} >"$out/result.json"
echo "@@KB-RESULT-BEGIN@@"
cat "$out/result.json"
echo "@@KB-RESULT-END@@"
exit $failed
