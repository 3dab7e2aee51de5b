#!/bin/sh
# kbackport build: one real build of debian-6.12 base (cold: about ten
# minutes on two cores; ccache and the stored image make later runs quick),
# the merged config checked option by option, bad input refused.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
K=debian-6.12
R=$KBACKPORT_WORK/results/$SNAME/$K/base
use_tree $K || exit 1

builds_base() {
	"$KB" build $K --variant base >"$T/build.out" 2>&1
	rc=$?
	cat "$T/build.out"
	[ $rc = 0 ] || return 1
	image=$KBACKPORT_WORK/build/$SNAME/$K/base/arch/x86/boot/bzImage
	python3 - "$R/build.json" "$image" <<-'EOF'
	import hashlib, json, os, sys
	data = open(sys.argv[2], "rb").read()
	assert data[0x202:0x206] == b"HdrS", "not an x86 boot image"
	b = json.load(open(sys.argv[1]))
	assert b["kernel"] == "debian-6.12" and b["variant"] == "base", b
	assert os.path.realpath(b["image"]) == os.path.realpath(sys.argv[2]), b["image"]
	blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
	assert b["image_hash"] == blob, (b["image_hash"], blob)
	assert b["cache_key"] == "build:%s:%s" % (b["commit"], b["config"]["hash"]), b["cache_key"]
	assert b["config"]["fragments"] == ["qemu-minimal.config"], b["config"]
	assert isinstance(b["warnings"], list) and b["checkpatch"] is None, b
	EOF
}

# The options the guest needs, read from the .config make used, not from the tool's word.
config_has_guest_options() {
	c=$KBACKPORT_WORK/build/$SNAME/$K/base/.config
	for o in CONFIG_64BIT=y CONFIG_SMP=y CONFIG_SERIAL_8250_CONSOLE=y CONFIG_BLK_DEV_INITRD=y \
		CONFIG_DEVTMPFS=y CONFIG_VIRTIO_PCI=y CONFIG_VIRTIO_BLK=y CONFIG_EXT4_FS=y \
		CONFIG_BLK_DEV_NULL_BLK=y CONFIG_DM_DELAY=y CONFIG_BLK_DEV_LOOP=y CONFIG_IO_URING=y \
		CONFIG_AIO=y CONFIG_DEBUG_FS=y CONFIG_ACPI=y CONFIG_BUG=y CONFIG_LKDTM=y; do
		grep -qx "$o" "$c" || { echo "missing $o"; return 1; }
	done
}

second_build_reuses_image() {
	before=$(stat -c %Y $KBACKPORT_WORK/build/$SNAME/$K/base/arch/x86/boot/bzImage)
	"$KB" build $K --variant base >"$T/again.out" 2>&1 || { cat "$T/again.out"; return 1; }
	cat "$T/again.out"
	grep -q "^$K base: up to date: " "$T/again.out" &&
	[ "$(stat -c %Y $KBACKPORT_WORK/build/$SNAME/$K/base/arch/x86/boot/bzImage)" = "$before" ]
}

# Unchanged commit, fragments and compiler: the stored config stands, Kconfig
# is not run (config.log untouched); a fragment edited, even by a comment
# only, runs Kconfig again, which finds the same config: still up to date.
config_inputs_reused() {
	log=$KBACKPORT_WORK/results/$SNAME/$K/base/config.log
	before=$(stat -c %Y.%s "$log")
	"$KB" build $K --variant base >"$T/inputs.out" 2>&1 || { cat "$T/inputs.out"; return 1; }
	cat "$T/inputs.out"
	grep -q "^$K base: config .*: the stored build's (same commit, fragments and compiler; hash " "$T/inputs.out" &&
	grep -q "^$K base: up to date: " "$T/inputs.out" && [ "$(stat -c %Y.%s "$log")" = "$before" ] &&
	rm -rf "$T/kin" && mkdir -p "$T/kin" && cp -r kernels/. "$T/kin/" &&
	echo "# a comment changes the inputs, not the config" >>"$T/kin/config/qemu-minimal.config" &&
	KBACKPORT_KERNELS_DIR="$T/kin" "$KB" build $K --variant base >"$T/inputs2.out" 2>&1 || { cat "$T/inputs2.out"; return 1; }
	cat "$T/inputs2.out"
	grep -q "^$K base: config .*: [0-9]* requested options verified (hash " "$T/inputs2.out" &&
	grep -q "^$K base: up to date: " "$T/inputs2.out"
}

# Another base target with the same fragments is other config inputs: Kconfig
# runs (and fails on a target Kbuild does not have) instead of the stored
# config being taken for it.
base_target_counts() {
	# first these fragments' inputs on record, the build up to date
	"$KB" build $K --variant base >"$T/base0.out" 2>&1 && grep -q "^$K base: up to date: " "$T/base0.out" &&
	rm -rf "$T/kbase" && mkdir -p "$T/kbase" && cp -r kernels/. "$T/kbase/" &&
	sed -i 's/^  base: tinyconfig/  base: nosuchconfig/' "$T/kbase/$K.yaml" && grep -q "base: nosuchconfig" "$T/kbase/$K.yaml" ||
		{ cat "$T/base0.out"; return 1; }
	KBACKPORT_KERNELS_DIR="$T/kbase" "$KB" build $K --variant base >"$T/base.out" 2>&1
	rc=$?
	cat "$T/base.out"
	[ $rc != 0 ] && ! grep -q "up to date" "$T/base.out"
}

# A fragment asking for an option the tree does not have: the build stops naming it.
missing_option_named() {
	mkdir -p "$T/kernels/config"
	sed 's/qemu-minimal.config/bad.config/' kernels/$K.yaml >"$T/kernels/$K.yaml"
	cp kernels/config/qemu-minimal.config "$T/kernels/config/bad.config"
	echo CONFIG_DOES_NOT_EXIST=y >>"$T/kernels/config/bad.config"
	KBACKPORT_KERNELS_DIR="$T/kernels" expect_exit 4 "$KB" build $K >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/out" "$T/err"
	[ $rc = 0 ] &&
	grep -q "^error: config option 'CONFIG_DOES_NOT_EXIST=y' requested by '$T/kernels/config/bad.config' does not exist in this tree$" "$T/err" &&
	grep -q "^error: 1 requested config option is not set; nothing built$" "$T/err" &&
	! grep -q "building bzImage" "$T/out"
}

# The stored base image was not touched by the failed config.
image_survives_bad_config() {
	"$KB" build $K --variant base >"$T/again2.out" 2>&1
	rc=$?
	cat "$T/again2.out"
	[ $rc = 0 ] && grep -q "^$K base: up to date: " "$T/again2.out"
}

unknown_kernel_exit_3() {
	expect_exit 3 "$KB" build nosuch 2>"$T/err" &&
	one_error "$T/err" "unknown kernel 'nosuch' (no kernels/nosuch.yaml)"
}

unknown_variant_exit_2() {
	expect_exit 2 "$KB" build $K --variant frob 2>"$T/err" >/dev/null &&
	grep -q "^error: unknown variant 'frob' (base, patched, posted or debug)$" "$T/err"
}

# A toolchain piece missing from PATH: named with its Debian package, before any work.
missing_tool_named() {
	mkdir -p "$T/bin"
	for p in make gcc ccache flex bison bc perl; do
		ln -sf "$(command -v $p)" "$T/bin/$p"
	done
	PATH="$T/bin" expect_exit 7 "$KB" build $K 2>"$T/err" >/dev/null &&
	one_error "$T/err" "missing program 'lz4': install the Debian package 'lz4'"
}

check "build $K base: bzImage, build.json with image hash and cache key" builds_base
check "the merged .config has every option the guest needs" config_has_guest_options
check "an unchanged commit and config reuse the image" second_build_reuses_image
check "unchanged config inputs: the stored config stands, Kconfig not run; an edited fragment runs it" config_inputs_reused
check "another base target with the same fragments runs Kconfig, not the stored config" base_target_counts
check "a fragment option missing from the tree is named, nothing built (exit 4)" missing_option_named
check "a failed config leaves the stored image in place" image_survives_bad_config
check "unknown kernel: exit 3" unknown_kernel_exit_3
check "unknown variant: exit 2" unknown_variant_exit_2
check "a missing tool is named with its package (exit 7)" missing_tool_named
done_testing
