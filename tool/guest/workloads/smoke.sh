# smoke: the guest works end to end. Every vCPU online, ext4 with extents
# on the virtio disk (io_uring direct I/O), ext4 without extents on a
# memory-backed null_blk (libaio direct I/O), data written and verified by
# fio. One framed JSON result; exit status 1 if any check failed.

tests=
failed=0

# check NAME STATUS DETAIL: one entry of the result.
check() {
	detail=$(printf '%s' "$3" | tr -d '"\\\r' | tr '\n' ' ')
	tests="$tests${tests:+,}{\"name\":\"$1\",\"status\":\"$2\",\"detail\":\"$detail\"}"
	[ "$2" = pass ] || failed=1
}

cpus=$(nproc)
online=$(cat /sys/devices/system/cpu/online)
want=$(grep -c ^processor /proc/cpuinfo)
if [ "$cpus" = "$want" ]; then
	check cpus-online pass "$cpus online ($online)"
else
	check cpus-online fail "$cpus of $want online ($online)"
fi

# fs NAME DEVICE MKFS-FEATURES IOENGINE: mkfs, mount, fio write+verify, umount.
fs() {
	if ! out=$(/sbin/mkfs.ext4 -q -F -O "$3" "$2" 2>&1); then
		check "$1" fail "mkfs.ext4 -O $3 $2: $out"
		return
	fi
	if ! out=$(mount -t ext4 "$2" /mnt 2>&1); then
		check "$1" fail "mount $2: $out"
		return
	fi
	if out=$(fio --name="$1" --filename=/mnt/smoke --size=16m --bs=4k --rw=randwrite \
		--direct=1 --ioengine="$4" --iodepth=8 --verify=crc32c --do_verify=1 \
		--output-format=terse 2>&1); then
		check "$1" pass "$2 -O $3, fio $4 direct randwrite 16 MiB verified"
	else
		check "$1" fail "fio $4 on $2: $(echo "$out" | tail -n 3)"
	fi
	umount /mnt
}

if [ -b /dev/vda ]; then
	fs ext4-extents /dev/vda extent io_uring
else
	check ext4-extents fail "no virtio disk /dev/vda"
fi

# A configfs null_blk device takes its directory's name (v5.17 on; before, nullb<index>).
nb=/sys/kernel/config/nullb/kbsmoke
nbdev=
if mkdir $nb && echo 1 >$nb/memory_backed && echo 128 >$nb/size && echo 1 >$nb/power; then
	nbdev=/dev/kbsmoke
	[ -b $nbdev ] || nbdev=/dev/nullb$(cat $nb/index 2>/dev/null)
fi
if [ -b "$nbdev" ]; then
	fs ext4-noextents "$nbdev" ^extent,^64bit,^flex_bg libaio
else
	check ext4-noextents fail "cannot create a memory-backed null_blk device"
fi

echo "@@KB-RESULT-BEGIN@@"
echo "{\"workload\":\"smoke\",\"kernel\":\"$(uname -r)\",\"nproc\":$cpus,\"tests\":[$tests]}"
echo "@@KB-RESULT-END@@"
exit $failed
